import type { FastifyInstance } from 'fastify';
import type { Clock } from '../core/clock.ts';
import type { OutboxStore } from '../core/ports/outbox.ts';
import type { StatsStore } from '../core/ports/stats.ts';
import type { Guard } from './guard.ts';

export interface GatewayAdminDeps {
  readonly delivery: () => { degraded: boolean; gateways: readonly { id: string }[] };
  readonly store: Pick<StatsStore, 'statsSeries'> & Pick<OutboxStore, 'listMessages'>;
  readonly guard: Guard;
  readonly clock: Clock;
}

const HOUR = 3_600_000;
const RECENT_ERRORS = 5;

/**
 * GET /admin/gateways: each gateway's link and circuit now, its last hour (messages handed over, the
 * mean wait before hand-over, delivered, not delivered) from the store's counters, and its latest
 * failed messages' errors. Gateways serve every tenant: operators only.
 */
export function registerGatewayAdminRoutes(app: FastifyInstance, d: GatewayAdminDeps): void {
  app.get(
    '/admin/gateways',
    {
      onRequest: d.guard('admin', { operator: true }),
      config: { json: true },
      schema: {
        tags: ['Administration'],
        summary: "Each gateway's link, circuit, last hour and latest errors",
        description: 'Needs an operator key with the admin scope: gateways serve every tenant.',
        security: [{ bearer: ['admin'] }],
      },
    },
    async () => {
      const now = d.clock.now();
      const status = d.delivery();
      const lastHour = await d.store.statsSeries({ resolution: 'minute', from: now - HOUR, to: now + 60_000 });
      const sum = (id: string, metric: string) =>
        lastHour.filter((p) => p.metric === metric && p.dim === `gateway:${id}`).reduce((n, p) => n + p.count, 0);
      const gateways = await Promise.all(
        status.gateways.map(async (g) => {
          const handed = sum(g.id, 'handed');
          const failed = await d.store.listMessages({ gateway: g.id, status: 'failed', limit: RECENT_ERRORS });
          return {
            ...g,
            lastHour: {
              handed,
              meanWaitMs: handed > 0 ? Math.round(sum(g.id, 'handed_ms') / handed) : null,
              delivered: sum(g.id, 'delivered'),
              undelivered: sum(g.id, 'undelivered'),
            },
            recentErrors: failed.map((m) => ({ at: new Date(m.updatedAt).toISOString(), error: m.lastError })),
          };
        }),
      );
      return { degraded: status.degraded, gateways };
    },
  );
}
