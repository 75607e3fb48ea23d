import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { maskPhone } from '../core/codes.ts';
import { guardLogScope } from '../core/admission.ts';
import {
  COUNTRY_PATTERN,
  MAX_CLIENT_ID_LENGTH,
  MAX_COUNTRIES,
  MAX_DAILY_BUDGET,
  MAX_DAILY_MESSAGES,
  MAX_NOTE_LENGTH,
  PREFIX_PATTERN,
  SCOPE_PATTERN,
  type AbuseAdmin,
} from '../core/abuse-admin.ts';
import type { Guard } from './guard.ts';
import { tenantOf } from './auth.ts';

export interface AbuseRouteDeps {
  readonly admin: AbuseAdmin;
  readonly guard: Guard;
}

const Kind = Type.Union([Type.Literal('block'), Type.Literal('safe')]);
const Prefix = Type.String({ pattern: PREFIX_PATTERN, description: 'An E.164 number or prefix, with the +' });

const RuleBody = Type.Object(
  {
    kind: Kind,
    prefix: Prefix,
    note: Type.Optional(Type.String({ maxLength: MAX_NOTE_LENGTH })),
  },
  { additionalProperties: false },
);

const Country = Type.String({
  pattern: COUNTRY_PATTERN,
  description: 'ISO 3166-1 alpha-2, as libphonenumber names regions (GB, not UK)',
});

const Countries = Type.Object(
  {
    mode: Type.Union([Type.Literal('allow'), Type.Literal('deny')], {
      description: 'allow: only the list; deny: all but the list',
    }),
    list: Type.Array(Country, { maxItems: MAX_COUNTRIES }),
  },
  { additionalProperties: false },
);

const DailyMessages = Type.Union([Type.Integer({ minimum: 0, maximum: MAX_DAILY_MESSAGES }), Type.Null()], {
  description: '0: unlimited',
});
const DailyBudget = Type.Union([Type.Number({ minimum: 0, maximum: MAX_DAILY_BUDGET }), Type.Null()], {
  description: 'Currency units; 0: unlimited',
});

const PolicyBody = Type.Object(
  {
    countries: Type.Optional(Type.Union([Countries, Type.Null()])),
    dailyMessages: Type.Optional(DailyMessages),
    dailyBudget: Type.Optional(DailyBudget),
  },
  {
    additionalProperties: false,
    description: 'An absent field keeps its stored value; null returns it to the configured default',
  },
);

const ClientParams = Type.Object(
  {
    clientId: Type.String({ minLength: 1, maxLength: MAX_CLIENT_ID_LENGTH }),
  },
  { additionalProperties: false },
);

const OPERATOR_ONLY = 'Operator keys only: a client key is 403 PERMISSION_DENIED.';
const OWN_TENANT = "A client key sees its own tenant's alone; an operator key every tenant's.";

/**
 * Admin scope, JSON only, the given schema (typed, so the handlers see validated input). Operator
 * keys only unless `reach` is 'tenant': the route then serves a client key within its own tenant.
 */
const adminRoute = <S extends object>(
  d: AbuseRouteDeps,
  summary: string,
  schema: S,
  reach: 'operator' | 'tenant' = 'operator',
) => ({
  onRequest: reach === 'operator' ? d.guard('admin', { operator: true }) : d.guard('admin'),
  config: { json: true },
  schema: {
    tags: ['Abuse'],
    summary,
    description: reach === 'operator' ? OPERATOR_ONLY : OWN_TENANT,
    security: [{ bearer: ['admin'] }],
    ...schema,
  },
});

/**
 * Run-time management of the abuse defences over HTTP: the schemas and the audit log lines are the
 * API's; what each operation does is core/abuse-admin.ts, shared with the CLI. Number rules and
 * breaker blocks are global, and a policy is a limit set on a tenant, not by it: changing any of
 * them, or reading the global ones, needs an operator key. A client key reads its own policy.
 */
export function registerAbuseRoutes(app: FastifyInstance, d: AbuseRouteDeps): void {
  registerNumberRuleRoutes(app, d);
  registerPolicyRoutes(app, d);
  registerBlockRoutes(app, d);
}

function registerNumberRuleRoutes(app: FastifyInstance, d: AbuseRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/admin/number-rules',
    adminRoute(d, 'Block and safe rules for numbers and prefixes', {
      querystring: Type.Object({ kind: Type.Optional(Kind) }, { additionalProperties: false }),
    }),
    async (req) => ({ rules: await d.admin.listRules(req.query.kind) }),
  );

  const put = 'Adds a block or safe rule, or replaces its note; the most specific rule wins';
  api.post('/admin/number-rules', adminRoute(d, put, { body: RuleBody }), async (req, reply) => {
    const rule = await d.admin.putRule(req.body);
    req.log.info({ kind: rule.kind, prefix: maskPhone(rule.prefix), by: req.principal?.keyId }, 'number rule set');
    return reply.code(201).send(rule);
  });

  api.delete(
    '/admin/number-rules',
    adminRoute(d, 'Removes a block or safe rule (prefix URL-encoded: %2B for the +)', {
      querystring: Type.Object({ kind: Kind, prefix: Prefix }, { additionalProperties: false }),
    }),
    async (req, reply) => {
      const { kind, prefix } = req.query;
      await d.admin.removeRule(kind, prefix);
      req.log.info({ kind, prefix: maskPhone(prefix), by: req.principal?.keyId }, 'number rule removed');
      return reply.code(204).send(null);
    },
  );
}

function registerPolicyRoutes(app: FastifyInstance, d: AbuseRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get('/admin/clients', adminRoute(d, 'Clients with a policy of their own', {}, 'tenant'), async (req) => ({
    clients: await d.admin.listPolicies(tenantOf(req.principal)),
  }));

  const get = adminRoute(
    d,
    "A client's policy; null fields mean the configured default",
    { params: ClientParams },
    'tenant',
  );
  api.get('/admin/clients/:clientId/policy', get, async (req) =>
    d.admin.policy(req.params.clientId, tenantOf(req.principal)),
  );

  const put = adminRoute(d, "Sets a client's countries, daily messages and daily budget", {
    params: ClientParams,
    body: PolicyBody,
  });
  api.put('/admin/clients/:clientId/policy', put, async (req) => {
    const policy = await d.admin.setPolicy(req.params.clientId, req.body);
    req.log.info({ policyOf: req.params.clientId, by: req.principal?.keyId }, 'client policy set');
    return policy;
  });
}

function registerBlockRoutes(app: FastifyInstance, d: AbuseRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  const list =
    "Blocks and throttles in force now (shadow ones included): the range guard's, per tenant, and the global " +
    "breaker's; a client key sees its own tenant's";
  api.get('/admin/abuse/blocks', adminRoute(d, list, {}, 'tenant'), async (req) => ({
    blocks: await d.admin.blocks(tenantOf(req.principal)),
  }));

  const lift =
    'Lifts a block or throttle early (scope URL-encoded, e.g. country%3AGB or t%3Ashop%3Arange%3A%2B447451); ' +
    'the scope is then left unjudged for one window (breaker) or judged afresh (range guard)';
  api.delete(
    '/admin/abuse/blocks/:scope',
    adminRoute(d, lift, {
      params: Type.Object({ scope: Type.String({ pattern: SCOPE_PATTERN }) }, { additionalProperties: false }),
    }),
    async (req, reply) => {
      await d.admin.liftBlock(req.params.scope);
      req.log.info({ scope: guardLogScope(req.params.scope), by: req.principal?.keyId }, 'block lifted');
      return reply.code(204).send(null);
    },
  );
}
