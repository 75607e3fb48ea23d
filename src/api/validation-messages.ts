import type { FastifySchemaValidationError } from 'fastify';
import { OtpdError } from '../core/errors.ts';

/**
 * What to tell a client whose value breaks a field's rule: path (`body/phoneNumber`) → schema
 * keyword (`pattern`, `type`, …, or `*` for any) → message. A pattern says nothing to a person;
 * the rule in words, with an example, does.
 */
export type FieldMessages = Readonly<Record<string, Readonly<Record<string, string>>>>;

const ARTICLE: Readonly<Record<string, string>> = { object: 'an object', array: 'an array', integer: 'an integer' };

/** One schema violation in words: the field's own message, else the rule with the offending name. */
export function describeViolation(e: FastifySchemaValidationError, dataVar: string, fields: FieldMessages): string {
  const where = `${dataVar}${e.instancePath}`;
  const own = fields[where];
  const message = own?.[e.keyword] ?? own?.['*'];
  if (message !== undefined) return message;
  const p = e.params;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where}/${String(p.additionalProperty)} is not allowed`;
    case 'required':
      return `${where}/${String(p.missingProperty)} is required`;
    case 'type':
      return `${where} must be ${ARTICLE[String(p.type)] ?? `a ${String(p.type)}`}`;
    case 'maxLength':
      return `${where} must be at most ${String(p.limit)} characters`;
    case 'minLength':
      return `${where} must be at least ${String(p.limit)} characters`;
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

/**
 * A route's `schemaErrorFormatter`: the first violation (Ajv stops there) as an INVALID_ARGUMENT,
 * which the error map answers with its message as it does any domain error.
 */
export function validationErrors(fields: FieldMessages = {}) {
  return (errors: FastifySchemaValidationError[], dataVar: string): Error =>
    new OtpdError(
      'INVALID_ARGUMENT',
      errors[0] ? describeViolation(errors[0], dataVar, fields) : `${dataVar} is invalid`,
    );
}
