import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../core/clock.ts';
import type { StatsStore } from '../core/ports/stats.ts';
import { tenantOf } from './auth.ts';
import type { Guard } from './guard.ts';

export interface StatsRouteDeps {
  readonly store: StatsStore;
  readonly guard: Guard;
  readonly clock: Clock;
}

/** The two windows the console shows: the last day by minute, the last week by hour. */
const RANGES = {
  '24h': { resolution: 'minute', ms: 24 * 3_600_000, step: 60_000 },
  '7d': { resolution: 'hour', ms: 7 * 24 * 3_600_000, step: 3_600_000 },
} as const;

const Point = Type.Object({
  at: Type.String({ format: 'date-time' }),
  metric: Type.String(),
  count: Type.Integer(),
  total: Type.Integer(),
});
const Total = Type.Object({ metric: Type.String(), dim: Type.String(), count: Type.Integer(), total: Type.Integer() });
const HOUR = 3_600_000;

/**
 * GET /admin/stats/series: the counters the store keeps per minute and per hour (sent, validated,
 * failed, handed over with the wait, delivered, undelivered, refused by defence; totals and per
 * country or gateway), for the console's overview. A client key reads its own tenant's.
 */
export function registerStatsRoutes(app: FastifyInstance, d: StatsRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/admin/stats/series',
    {
      onRequest: d.guard('admin'),
      config: { json: true },
      schema: {
        tags: ['Administration'],
        summary: 'Counters per minute (24h) or per hour (7d): sends, validations, deliveries, refusals',
        description:
          "Needs the admin scope. An operator key reads every tenant's counters summed; a client key its own. " +
          "`handed`'s `total` is the sum of the waits from acceptance to hand-over: divide by `count` for the mean.",
        security: [{ bearer: ['admin'] }],
        querystring: Type.Object(
          { range: Type.Optional(Type.Union([Type.Literal('24h'), Type.Literal('7d')])) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            resolution: Type.Union([Type.Literal('minute'), Type.Literal('hour')]),
            from: Type.String({ format: 'date-time' }),
            to: Type.String({ format: 'date-time' }),
            series: Type.Array(Point, { description: "Each bucket's totals (dim '')" }),
            totals: Type.Array(Total, {
              description: "The period's sums per metric and dim (countries and gateways by the hour)",
            }),
          }),
        },
      },
    },
    async (req) => {
      const r = RANGES[req.query.range ?? '24h'];
      // Whole buckets: the current one is included, the window starts a full range before it ends.
      const to = (Math.floor(d.clock.now() / r.step) + 1) * r.step;
      const from = to - r.ms;
      const clientId = tenantOf(req.principal);
      const series = await d.store.statsSeries({ resolution: r.resolution, from, to, clientId });
      // Per country and gateway the store keeps hours: the period's tables come from those.
      const hours =
        r.resolution === 'hour'
          ? series
          : await d.store.statsSeries({ resolution: 'hour', from: Math.floor(from / HOUR) * HOUR, to, clientId });
      const totals = new Map<string, { metric: string; dim: string; count: number; total: number }>();
      for (const p of hours) {
        const key = `${p.metric}\u0000${p.dim}`;
        const t = totals.get(key) ?? { metric: p.metric, dim: p.dim, count: 0, total: 0 };
        t.count += p.count;
        t.total += p.total;
        totals.set(key, t);
      }
      return {
        resolution: r.resolution,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        series: series
          .filter((p) => p.dim === '')
          .sort((a, b) => a.at - b.at)
          .map((p) => ({ at: new Date(p.at).toISOString(), metric: p.metric, count: p.count, total: p.total })),
        totals: [...totals.values()],
      };
    },
  );
}
