/**
 * The built-in texts, one entry per language, written for people who read them on a phone: short,
 * the code near the end of the first line. Languages whose letters GSM-7 holds (en, fr, de, it,
 * nl, id) stay within it, so a text fits one 160-character segment; the others need UCS-2.
 * `{friendly_name}` is the service's name and `{code}` the code; `ignore` ends an email.
 */
export interface LocaleTexts {
  readonly sms: string;
  readonly subject: string;
  readonly ignore: string;
}

export const BUILT_IN: Readonly<Record<string, LocaleTexts>> = {
  en: {
    sms: 'Your {friendly_name} verification code is: {code}',
    subject: 'Your {friendly_name} verification code',
    ignore: 'If you did not ask for this code, you can ignore this email.',
  },
  es: {
    sms: 'Tu código de verificación de {friendly_name} es: {code}',
    subject: 'Tu código de verificación de {friendly_name}',
    ignore: 'Si no has pedido este código, puedes ignorar este correo.',
  },
  fr: {
    sms: 'Votre code de vérification {friendly_name} est : {code}',
    subject: 'Votre code de vérification {friendly_name}',
    ignore: "Si vous n'avez pas demandé ce code, vous pouvez ignorer cet e-mail.",
  },
  de: {
    sms: 'Ihr {friendly_name} Bestätigungscode lautet: {code}',
    subject: 'Ihr {friendly_name} Bestätigungscode',
    ignore: 'Wenn Sie diesen Code nicht angefordert haben, können Sie diese E-Mail ignorieren.',
  },
  it: {
    sms: 'Il tuo codice di verifica {friendly_name} è: {code}',
    subject: 'Il tuo codice di verifica {friendly_name}',
    ignore: 'Se non hai richiesto questo codice, puoi ignorare questa email.',
  },
  pt: {
    sms: 'O seu código de verificação {friendly_name} é: {code}',
    subject: 'O seu código de verificação {friendly_name}',
    ignore: 'Se não pediu este código, pode ignorar este e-mail.',
  },
  'pt-BR': {
    sms: 'Seu código de verificação {friendly_name} é: {code}',
    subject: 'Seu código de verificação {friendly_name}',
    ignore: 'Se você não pediu este código, pode ignorar este e-mail.',
  },
  nl: {
    sms: 'Je {friendly_name} verificatiecode is: {code}',
    subject: 'Je {friendly_name} verificatiecode',
    ignore: 'Heb je deze code niet aangevraagd? Dan kun je deze e-mail negeren.',
  },
  pl: {
    sms: 'Twój kod weryfikacyjny {friendly_name} to: {code}',
    subject: 'Twój kod weryfikacyjny {friendly_name}',
    ignore: 'Jeśli nie prosiłeś o ten kod, zignoruj tę wiadomość.',
  },
  tr: {
    sms: '{friendly_name} doğrulama kodunuz: {code}',
    subject: '{friendly_name} doğrulama kodunuz',
    ignore: 'Bu kodu siz istemediyseniz bu e-postayı yok sayabilirsiniz.',
  },
  ru: {
    sms: 'Ваш код подтверждения {friendly_name}: {code}',
    subject: 'Ваш код подтверждения {friendly_name}',
    ignore: 'Если вы не запрашивали этот код, просто проигнорируйте это письмо.',
  },
  ar: {
    sms: 'رمز التحقق الخاص بك في {friendly_name} هو: {code}',
    subject: 'رمز التحقق الخاص بك في {friendly_name}',
    ignore: 'إذا لم تطلب هذا الرمز، يمكنك تجاهل هذه الرسالة.',
  },
  hi: {
    sms: 'आपका {friendly_name} सत्यापन कोड है: {code}',
    subject: 'आपका {friendly_name} सत्यापन कोड',
    ignore: 'अगर आपने यह कोड नहीं माँगा था, तो इस ईमेल को अनदेखा करें।',
  },
  id: {
    sms: 'Kode verifikasi {friendly_name} Anda adalah: {code}',
    subject: 'Kode verifikasi {friendly_name} Anda',
    ignore: 'Jika Anda tidak meminta kode ini, abaikan email ini.',
  },
  ja: {
    sms: '{friendly_name}の認証コード: {code}',
    subject: '{friendly_name}の認証コード',
    ignore: 'このコードに心当たりがない場合は、このメールを無視してください。',
  },
  zh: {
    sms: '您的{friendly_name}验证码是：{code}',
    subject: '您的{friendly_name}验证码',
    ignore: '如果您没有请求此验证码，请忽略此邮件。',
  },
};
