import { OtpdError } from '../../core/errors.ts';
import { textTemplate, type MessageTemplate } from '../../core/message.ts';

/** CAMARA's placeholder: the client's `message` must hold it, and the code replaces every one. */
const PLACEHOLDER = '{{code}}';

/** The longest text otpd sends for a CAMARA `message` once the code is in (the spec's own limit on `message`). */
export const MAX_RENDERED_LENGTH = 160;

/** The CAMARA `message` as a template: it must name the code, and still fit 160 characters with it. */
export function camaraTemplate(message: string): MessageTemplate {
  if (!message.includes(PLACEHOLDER))
    throw new OtpdError('INVALID_ARGUMENT', `message must contain the ${PLACEHOLDER} placeholder`);
  const inner = textTemplate(message, PLACEHOLDER);
  return {
    render(code) {
      const r = inner.render(code);
      if (r.text.length > MAX_RENDERED_LENGTH)
        throw new OtpdError(
          'INVALID_ARGUMENT',
          `message with the code inserted must be at most ${MAX_RENDERED_LENGTH} characters`,
        );
      return r;
    },
  };
}
