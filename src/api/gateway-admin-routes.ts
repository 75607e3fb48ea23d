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
 * GET /admin/gateways: each gateway's link and circuit now, this hour and the last (messages handed over, the
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
        summary: "Each gateway's link, circuit, this hour and the last, and latest errors",
        description: 'Needs an operator key with the admin scope: gateways serve every tenant.',
        security: [{ bearer: ['admin'] }],
      },
    },
    async () => {
      const now = d.clock.now();
      const status = d.delivery();
      // The store keeps gateways' counters by the hour: this hour and the one before.
      const from = (Math.floor(now / HOUR) - 1) * HOUR;
      const recent = await d.store.statsSeries({ resolution: 'hour', from, to: now + 1 });
      const of = (id: string, metric: string) => recent.filter((p) => p.metric === metric && p.dim === `gateway:${id}`);
      const sum = (id: string, metric: string) => of(id, metric).reduce((n, p) => n + p.count, 0);
      const gateways = await Promise.all(
        status.gateways.map(async (g) => {
          const handed = sum(g.id, 'handed');
          const failed = await d.store.listMessages({ gateway: g.id, status: 'failed', limit: RECENT_ERRORS });
          return {
            ...g,
            recent: {
              handed,
              meanWaitMs: handed > 0 ? Math.round(of(g.id, 'handed').reduce((n, p) => n + p.total, 0) / handed) : null,
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
