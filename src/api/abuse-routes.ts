import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { maskPhone } from '../core/codes.ts';
import { OtpdError } from '../core/errors.ts';
import { logScope } from '../core/admission.ts';
import type { AbuseStore, ClientPolicy, NumberRule, ScopeBlock } from '../core/ports/abuse.ts';
import type { Clock } from '../core/clock.ts';
import type { Guard } from './guard.ts';

export interface AbuseRouteDeps {
  readonly store: AbuseStore;
  readonly guard: Guard;
  readonly clock: Clock;
}

/** Shared with the CLI so that both refuse exactly the same input. */
export const PREFIX_PATTERN = '^\\+[1-9][0-9]{0,14}$';
export const COUNTRY_PATTERN = '^[A-Z]{2}$';
export const SCOPE_PATTERN = '^(country:[A-Z]{2}|prefix:\\+[1-9][0-9]{0,14})$';
export const MAX_DAILY_MESSAGES = 1_000_000_000;
export const MAX_DAILY_BUDGET = 1e9;
const MAX_COUNTRIES = 300;

const Kind = Type.Union([Type.Literal('block'), Type.Literal('safe')]);
const Prefix = Type.String({ pattern: PREFIX_PATTERN, description: 'An E.164 number or prefix, with the +' });

const RuleBody = Type.Object({
  kind: Kind,
  prefix: Prefix,
  note: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false });

const Countries = Type.Object({
  mode: Type.Union([Type.Literal('allow'), Type.Literal('deny')], { description: 'allow: only the list; deny: all but the list' }),
  list: Type.Array(Type.String({ pattern: COUNTRY_PATTERN, description: 'ISO 3166-1 alpha-2, as libphonenumber names regions (GB, not UK)' }), { maxItems: MAX_COUNTRIES }),
}, { additionalProperties: false });

const PolicyBody = Type.Object({
  countries: Type.Optional(Type.Union([Countries, Type.Null()])),
  dailyMessages: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: MAX_DAILY_MESSAGES }), Type.Null()], { description: '0: unlimited' })),
  dailyBudget: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: MAX_DAILY_BUDGET }), Type.Null()], { description: 'Currency units; 0: unlimited' })),
}, {
  additionalProperties: false,
  description: 'An absent field keeps its stored value; null returns it to the configured default',
});

const ClientParams = Type.Object({ clientId: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false });

export type PolicyChange = {
  countries?: ClientPolicy['countries'];
  dailyMessages?: number | null;
  /** Currency units, as operators think of it; stored as micros. */
  dailyBudget?: number | null;
};

const iso = (ms: number) => new Date(ms).toISOString();

export const presentRule = (r: NumberRule) => ({ kind: r.kind, prefix: r.prefix, note: r.note, createdAt: iso(r.createdAt) });

export const presentBlock = (b: ScopeBlock) => ({ scope: b.scope, until: iso(b.until), shadow: b.shadow, reason: b.reason, createdAt: iso(b.createdAt) });

/** A policy as operators read it; null fields (and `stored: false`) mean "the configured default". */
export function presentPolicy(clientId: string, p: ClientPolicy | null) {
  if (!p) return { clientId, countries: null, dailyMessages: null, dailyBudget: null, updatedAt: null, stored: false };
  return {
    clientId, countries: p.countries, dailyMessages: p.dailyMessages,
    dailyBudget: p.dailyBudgetMicros === null ? null : p.dailyBudgetMicros / 1e6,
    updatedAt: iso(p.updatedAt), stored: true,
  };
}

/**
 * Applies a change over the stored policy. Absent fields are kept rather than reset: a PUT that only
 * raises a quota must not silently drop a country allow-list (that would widen what the client may do).
 */
export function mergePolicy(clientId: string, old: ClientPolicy | null, c: PolicyChange, now: number): ClientPolicy {
  const countries = c.countries === undefined
    ? old?.countries ?? null
    : c.countries && { mode: c.countries.mode, list: [...new Set(c.countries.list)] };
  const budget = c.dailyBudget === undefined ? old?.dailyBudgetMicros ?? null : c.dailyBudget === null ? null : Math.round(c.dailyBudget * 1e6);
  return {
    clientId, countries,
    dailyMessages: c.dailyMessages === undefined ? old?.dailyMessages ?? null : c.dailyMessages,
    dailyBudgetMicros: budget, updatedAt: now,
  };
}

/** Admin scope, JSON only, the given schema (typed, so the handlers see validated input). */
const admin = <S extends object>(d: AbuseRouteDeps, summary: string, schema: S) => ({
  onRequest: d.guard('admin'),
  config: { json: true },
  schema: { tags: ['Abuse'], summary, security: [{ bearer: ['admin'] }], ...schema },
});

/**
 * Run-time management of the abuse defences. Nothing is cached: admission reads the store on every
 * send-code, so each change applies to the next request on every replica.
 */
export function registerAbuseRoutes(app: FastifyInstance, d: AbuseRouteDeps): void {
  registerNumberRuleRoutes(app, d);
  registerPolicyRoutes(app, d);
  registerBlockRoutes(app, d);
}

function registerNumberRuleRoutes(app: FastifyInstance, d: AbuseRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get('/admin/number-rules', admin(d, 'Block and safe rules for numbers and prefixes', {
    querystring: Type.Object({ kind: Type.Optional(Kind) }, { additionalProperties: false }),
  }), async (req) => ({ rules: (await d.store.listNumberRules(req.query.kind)).map(presentRule) }));

  api.post('/admin/number-rules', admin(d, 'Adds a block or safe rule, or replaces its note; the most specific rule wins', {
    body: RuleBody,
  }), async (req, reply) => {
    const rule: NumberRule = { kind: req.body.kind, prefix: req.body.prefix, note: req.body.note ?? null, createdAt: d.clock.now() };
    await d.store.putNumberRule(rule);
    req.log.info({ kind: rule.kind, prefix: maskPhone(rule.prefix), by: req.principal?.keyId }, 'number rule set');
    return reply.code(201).send(presentRule(rule));
  });

  api.delete('/admin/number-rules', admin(d, 'Removes a block or safe rule (prefix URL-encoded: %2B for the +)', {
    querystring: Type.Object({ kind: Kind, prefix: Prefix }, { additionalProperties: false }),
  }), async (req, reply) => {
    const { kind, prefix } = req.query;
    if (!(await d.store.deleteNumberRule(kind, prefix))) throw new OtpdError('NOT_FOUND', `no ${kind} rule for that prefix`);
    req.log.info({ kind, prefix: maskPhone(prefix), by: req.principal?.keyId }, 'number rule removed');
    return reply.code(204).send(null);
  });
}

function registerPolicyRoutes(app: FastifyInstance, d: AbuseRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get('/admin/clients', admin(d, 'Clients with a policy of their own', {}),
    async () => ({ clients: (await d.store.listClientPolicies()).map((p) => presentPolicy(p.clientId, p)) }));

  api.get('/admin/clients/:clientId/policy', admin(d, "A client's policy; null fields mean the configured default", {
    params: ClientParams,
  }), async (req) => presentPolicy(req.params.clientId, await d.store.getClientPolicy(req.params.clientId)));

  api.put('/admin/clients/:clientId/policy', admin(d, "Sets a client's countries, daily messages and daily budget", {
    params: ClientParams, body: PolicyBody,
  }), async (req) => {
    const { clientId } = req.params;
    // Read-modify-write without a lock: two operators editing different fields of one client at the
    // same instant may lose one edit. Rare, visible in the response, and fixed by repeating it.
    const next = mergePolicy(clientId, await d.store.getClientPolicy(clientId), req.body, d.clock.now());
    await d.store.putClientPolicy(next);
    req.log.info({ policyOf: clientId, by: req.principal?.keyId }, 'client policy set');
    return presentPolicy(clientId, next);
  });
}

function registerBlockRoutes(app: FastifyInstance, d: AbuseRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get('/admin/abuse/blocks', admin(d, 'Conversion-breaker blocks in force now (shadow ones included)', {}),
    async () => ({ blocks: (await d.store.listBlocks(d.clock.now())).map(presentBlock) }));

  api.delete('/admin/abuse/blocks/:scope', admin(d, 'Lifts a breaker block early (scope URL-encoded, e.g. country%3AGB); the breaker leaves the scope unjudged for one window', {
    params: Type.Object({ scope: Type.String({ pattern: SCOPE_PATTERN }) }, { additionalProperties: false }),
  }), async (req, reply) => {
    if (!(await d.store.deleteBlock(req.params.scope, d.clock.now()))) throw new OtpdError('NOT_FOUND', 'no block in force for that scope');
    req.log.info({ scope: logScope(req.params.scope), by: req.principal?.keyId }, 'breaker block lifted');
    return reply.code(204).send(null);
  });
}
