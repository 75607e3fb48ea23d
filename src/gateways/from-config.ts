import type { Clock } from '../core/clock.ts';
import type { Gateway } from '../core/ports/gateway.ts';
import type { DevInbox } from '../core/ports/store.ts';
import type { GatewayConfig } from '../config/gateways.ts';
import { DevOutboxGateway } from './dev-outbox.ts';

export interface GatewayDeps {
  readonly inbox: DevInbox;
  readonly clock: Clock;
  /** Where providers post delivery-status callbacks: `${publicUrl}/callbacks/${id}`. */
  readonly publicUrl: string | undefined;
}

/** The one place a gateway configuration becomes a gateway adapter. */
export function createGateway(c: GatewayConfig, d: GatewayDeps): Gateway {
  switch (c.type) {
    case 'dev-outbox':
      return new DevOutboxGateway(d.inbox, d.clock, c.id);
    default:
      throw new Error(`gateway type "${c.type}" is not available yet`);
  }
}
