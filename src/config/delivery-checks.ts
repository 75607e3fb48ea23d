import type { Channel } from '../core/channel.ts';
// The same literal-address guard as a service's webhook URL.
import { isPrivateHost } from '../core/webhooks.ts';
import { channelsOf, SECRET_FIELDS, type GatewayConfig } from './gateways.ts';
import type { Config } from './schema.ts';
import { senderProblem } from './senders.ts';

/** The effective routes: configured lists, or every gateway of the channel in configuration order. */
export function effectiveRoutes(c: Config): { defaultSms: string[]; email: string[] } {
  const of = (ch: Channel) => c.delivery.gateways.filter((g) => channelsOf(g).includes(ch)).map((g) => g.id);
  return {
    defaultSms: c.delivery.defaultRoute.length ? [...c.delivery.defaultRoute] : of('sms'),
    email: c.delivery.emailRoute.length ? [...c.delivery.emailRoute] : of('email'),
  };
}

/** Rules across gateways and routes that the schema cannot express; every problem is listed. */
export function deliveryChecks(c: Config, problems: string[]): void {
  const byId = new Map<string, GatewayConfig>();
  for (const g of c.delivery.gateways) {
    if (byId.has(g.id)) problems.push(`delivery.gateways: the id "${g.id}" is used twice`);
    else byId.set(g.id, g);
    const sender = senderOf(g);
    const bad = sender === undefined ? undefined : senderProblem(sender);
    if (bad) problems.push(`delivery.gateways.${g.id}: the sender ${bad}`);
    if (g.type === 'http' && g.preset === 'twilio' && !g.from && !g.messagingServiceSid) {
      problems.push(`delivery.gateways.${g.id}: twilio needs "from" or "messagingServiceSid"`);
    }
    if (g.type === 'http' && g.preset === 'webhook' && !g.allowPrivateNetwork && isPrivateHost(new URL(g.url))) {
      problems.push(
        `delivery.gateways.${g.id}: ${new URL(g.url).hostname} is a loopback or private address; ` +
          'set allowPrivateNetwork: true if that is intended',
      );
    }
  }
  const check = (where: string, ids: readonly string[], channel: Channel) => {
    for (const id of ids) {
      const g = byId.get(id);
      if (!g) problems.push(`${where}: no gateway "${id}"`);
      else if (!channelsOf(g).includes(channel))
        problems.push(`${where}: gateway "${id}" cannot send ${channel === 'sms' ? 'SMS' : 'email'}`);
    }
  };
  c.delivery.routes.forEach((r, i) => {
    if (!r.countries && !r.prefixes)
      problems.push(`delivery.routes.${i}: give countries or prefixes (or use defaultRoute)`);
    check(`delivery.routes.${i}.gateways`, r.gateways, 'sms');
  });
  const routes = effectiveRoutes(c);
  check('delivery.defaultRoute', routes.defaultSms, 'sms');
  check('delivery.emailRoute', routes.email, 'email');
  if (routes.defaultSms.length === 0) problems.push('delivery.defaultRoute: no gateway can send SMS');
  if (c.delivery.leaseSeconds * 1000 <= c.delivery.sendTimeoutMs) {
    problems.push(
      'delivery.leaseSeconds: the lease must outlast delivery.sendTimeoutMs, ' +
        'or a message could be claimed again while its send is in flight',
    );
  }
  const needsCallbacks = c.delivery.gateways.some((g) => g.type === 'http');
  if (needsCallbacks && !c.delivery.publicUrl) {
    problems.push(
      'delivery.publicUrl: HTTP providers need the public URL of otpd for delivery-status callbacks (OTPD_PUBLIC_URL)',
    );
  }
}

/** The SMS sender a gateway puts on its messages, where the configuration names one. */
function senderOf(g: GatewayConfig): string | undefined {
  if (g.type === 'smpp') return g.sourceAddr;
  if (g.type !== 'http') return undefined;
  if (g.preset === 'msg91') return g.sender;
  return 'from' in g ? g.from : undefined;
}

/** The gateways with every credential replaced. */
export function redactGateways(gateways: readonly GatewayConfig[]): Record<string, unknown>[] {
  return gateways.map((g) =>
    Object.fromEntries(
      Object.entries(g).map(([k, v]) => [
        k,
        (SECRET_FIELDS as readonly string[]).includes(k) && v !== undefined ? '[redacted]' : v,
      ]),
    ),
  );
}
