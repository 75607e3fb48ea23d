/**
 * The demo sign-in page's texts, per language, beside the message texts (texts.ts) whose wording
 * they share where they overlap: the code's name and the "verification code" phrase. English and
 * Spanish; a language without an entry shows English.
 */
export interface PageTexts {
  readonly title: string;
  readonly intro: string;
  readonly language: string;
  readonly country: string;
  readonly phone: string;
  readonly phoneHint: string;
  readonly phoneInvalid: string;
  readonly send: string;
  readonly sentTo: string;
  readonly code: string;
  readonly codeHint: string;
  readonly verify: string;
  readonly resend: string;
  readonly resendIn: string;
  readonly resent: string;
  readonly changeNumber: string;
  readonly wrong: string;
  readonly expired: string;
  readonly tooMany: string;
  readonly sendRefused: string;
  readonly failed: string;
  readonly outbox: string;
  readonly outboxEmpty: string;
  readonly signedIn: string;
  readonly signedInAs: string;
  readonly signOut: string;
}

export const PAGE_TEXTS: Readonly<Record<'en' | 'es', PageTexts>> = {
  en: {
    title: 'Sign in with your phone',
    intro: 'We will send a verification code to your phone by SMS.',
    language: 'Language',
    country: 'Country',
    phone: 'Phone number',
    phoneHint: 'Your mobile number, without the country code.',
    phoneInvalid: 'This is not a valid phone number for the country chosen.',
    send: 'Send code',
    sentTo: 'We sent a code to {to}.',
    code: 'Verification code',
    codeHint: 'The code in the SMS we sent you.',
    verify: 'Sign in',
    resend: 'Send the code again',
    resendIn: 'You can ask for the code again in {seconds} s.',
    resent: 'We sent the same code again.',
    changeNumber: 'Use another number',
    wrong: 'That code is not right. Tries left: {left}.',
    expired: 'This code has expired. Send a new one.',
    tooMany: 'Too many wrong codes. Send a new one.',
    sendRefused: 'We cannot send a code to this number now. Try again later.',
    failed: 'Something went wrong. Try again.',
    outbox: 'Development: the text in the development outbox',
    outboxEmpty: 'Nothing has arrived in the development outbox yet.',
    signedIn: 'You are signed in',
    signedInAs: 'Signed in with {to}.',
    signOut: 'Sign out',
  },
  es: {
    title: 'Inicia sesión con tu teléfono',
    intro: 'Te enviaremos un código de verificación por SMS.',
    language: 'Idioma',
    country: 'País',
    phone: 'Número de teléfono',
    phoneHint: 'Tu número de móvil, sin el prefijo del país.',
    phoneInvalid: 'Este número de teléfono no es válido para el país elegido.',
    send: 'Enviar código',
    sentTo: 'Hemos enviado un código al {to}.',
    code: 'Código de verificación',
    codeHint: 'El código del SMS que te hemos enviado.',
    verify: 'Iniciar sesión',
    resend: 'Enviar el código de nuevo',
    resendIn: 'Podrás pedir el código de nuevo en {seconds} s.',
    resent: 'Te hemos enviado el mismo código de nuevo.',
    changeNumber: 'Usar otro número',
    wrong: 'El código no es correcto. Intentos restantes: {left}.',
    expired: 'El código ha caducado. Pide uno nuevo.',
    tooMany: 'Demasiados códigos incorrectos. Pide uno nuevo.',
    sendRefused: 'Ahora no podemos enviar un código a este número. Inténtalo más tarde.',
    failed: 'Algo ha fallado. Inténtalo de nuevo.',
    outbox: 'Desarrollo: el texto en la bandeja de salida de desarrollo',
    outboxEmpty: 'Todavía no ha llegado nada a la bandeja de salida de desarrollo.',
    signedIn: 'Has iniciado sesión',
    signedInAs: 'Has iniciado sesión con el {to}.',
    signOut: 'Cerrar sesión',
  },
};

export type PageLanguage = keyof typeof PAGE_TEXTS;
