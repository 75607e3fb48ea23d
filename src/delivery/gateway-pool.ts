import type { Clock } from '../core/clock.ts';
import { hasHealth, type Channel, type Gateway, type LinkHealth, type MessageTlv } from '../core/ports/gateway.ts';
import type { PhoneInspector } from '../core/ports/phone.ts';
import { CircuitBreaker, type BreakerOptions, type CircuitState } from './circuit-breaker.ts';
import { Slots } from './slots.ts';
import { Throttle, type Sleep } from './throttle.ts';

/** One row of the route table: numbers it matches, and the gateways to try, in order. */
export interface RouteRule {
  /** ISO 3166-1 alpha-2 countries of the number (from its metadata). */
  readonly countries?: readonly string[];
  /** E.164 prefixes with '+'. */
  readonly prefixes?: readonly string[];
  readonly gateways: readonly string[];
  /** TLVs the route's messages carry over SMPP. */
  readonly smppTlvs?: readonly MessageTlv[] | undefined;
}

export interface RouteTable {
  /** First matching rule wins; an SMS that matches none takes `defaultSms`. */
  readonly rules: readonly RouteRule[];
  readonly defaultSms: readonly string[];
  readonly email: readonly string[];
}

export interface GatewayPoolOptions {
  readonly gateways: readonly Gateway[];
  readonly routes: RouteTable;
  readonly phones: PhoneInspector;
  readonly clock: Clock;
  readonly breaker: BreakerOptions;
  /** Messages per second per gateway id; absent means unthrottled. */
  readonly rates?: Readonly<Record<string, number>>;
  /** Calls in flight at once per gateway id (per process); absent means DEFAULT_MAX_IN_FLIGHT. */
  readonly maxInFlight?: Readonly<Record<string, number>>;
  readonly sleep?: Sleep;
  readonly onCircuit?: (gateway: string, state: CircuitState) => void;
}

export const DEFAULT_MAX_IN_FLIGHT = 100;

export interface DeliveryStatus {
  readonly degraded: boolean;
  readonly gateways: readonly {
    readonly id: string;
    /** `none`: the gateway holds no connection of its own (HTTP, SMTP, the development outbox). */
    readonly link: 'up' | 'down' | 'none';
    readonly circuit: CircuitState;
    /** Why it cannot take a call now; absent when it can. */
    readonly cause?: string;
  }[];
}

/**
 * The gateways a dispatcher can use, the route table that orders them for a recipient, and each
 * gateway's circuit breaker, send rate and in-flight limit. Configuration is checked at boot (every route names a
 * configured gateway of the right channel), so lookups here cannot miss.
 */
export class GatewayPool {
  readonly #gateways = new Map<string, Gateway>();
  readonly #breakers = new Map<string, CircuitBreaker>();
  readonly #throttles = new Map<string, Throttle>();
  readonly #slots = new Map<string, Slots>();
  readonly #routes: RouteTable;
  readonly #phones: PhoneInspector;
  readonly #healthListeners: ((gateway: string, h: LinkHealth) => void)[] = [];

  constructor(o: GatewayPoolOptions) {
    this.#routes = o.routes;
    this.#phones = o.phones;
    for (const g of o.gateways) {
      this.#gateways.set(g.id, g);
      const breaker = new CircuitBreaker(o.breaker, o.clock, (s) => o.onCircuit?.(g.id, s));
      this.#breakers.set(g.id, breaker);
      if (hasHealth(g))
        g.onHealthChange((h) => {
          if (h.up) breaker.reset();
          for (const l of this.#healthListeners) l(g.id, h);
        });
      this.#slots.set(g.id, new Slots(o.maxInFlight?.[g.id] ?? DEFAULT_MAX_IN_FLIGHT));
      const rate = o.rates?.[g.id];
      if (rate !== undefined && rate > 0) this.#throttles.set(g.id, new Throttle(rate, o.clock, o.sleep));
    }
  }

  /** A pool with one gateway that takes every message (development, tests). */
  static single(g: Gateway, clock: Clock, phones: PhoneInspector): GatewayPool {
    return new GatewayPool({
      gateways: [g],
      clock,
      phones,
      routes: { rules: [], defaultSms: [g.id], email: [g.id] },
      breaker: { failureThreshold: 5, cooldownMs: 30_000 },
    });
  }

  /** The ordered gateway ids for one message; pass the number's country when it is already known. */
  plan(channel: Channel, recipient: string, known?: string): readonly string[] {
    return this.route(channel, recipient, known).gateways;
  }

  /** The route one message takes: its gateways in order, and what the route adds to its messages. */
  route(channel: Channel, recipient: string, known?: string): Pick<RouteRule, 'gateways' | 'smppTlvs'> {
    if (channel === 'email') return { gateways: this.#routes.email };
    let country = known;
    for (const rule of this.#routes.rules) {
      if (rule.prefixes?.some((p) => recipient.startsWith(p))) return rule;
      if (rule.countries) {
        country ??= this.#phones.inspect(recipient).country ?? '';
        if (rule.countries.includes(country)) return rule;
      }
    }
    return { gateways: this.#routes.defaultSms };
  }

  gateway(id: string): Gateway {
    const g = this.#gateways.get(id);
    if (!g) throw new Error(`no gateway "${id}"`);
    return g;
  }

  breaker(id: string): CircuitBreaker {
    return this.#breakers.get(id)!;
  }

  /** Called whenever a gateway's link goes up or down (the dispatcher wakes, metrics follow). */
  onHealthChange(listener: (gateway: string, h: LinkHealth) => void): void {
    this.#healthListeners.push(listener);
  }

  /** Whether a call to this gateway could go out now: its link is up and its circuit lets it. */
  usable(id: string): boolean {
    const g = this.gateway(id);
    return (!hasHealth(g) || g.health().up) && this.breaker(id).canTry();
  }

  /** Whether any gateway could take a call now; if none can, claiming messages is pointless. */
  anyUsable(): boolean {
    for (const id of this.#gateways.keys()) if (this.usable(id)) return true;
    return false;
  }

  /** Why a gateway cannot take a call now, in words for a message's last error. */
  cause(id: string): string {
    const g = this.gateway(id);
    if (hasHealth(g)) {
      const h = g.health();
      if (!h.up) return `link down (${h.error || 'not connected'})`;
    }
    const b = this.breaker(id);
    if (b.canTry()) return 'available';
    return `circuit open${b.lastError ? ` after: ${b.lastError}` : ''}`;
  }

  /** Why none of these gateways can take a call now, gateway by gateway: a message's last error. */
  whyNone(ids: readonly string[]): string {
    return `no gateway can send now: ${ids.map((id) => `${id}: ${this.cause(id)}`).join('; ')}`;
  }

  /**
   * The earliest time this gateway may take a call again, if that is known: an open circuit's trial
   * time. A link that is down comes back when it re-binds, which nobody can schedule.
   */
  availableAt(id: string): number | undefined {
    const g = this.gateway(id);
    if (hasHealth(g) && !g.health().up) return undefined;
    return this.breaker(id).openUntil();
  }

  /**
   * Each gateway's link and circuit, and whether delivery is degraded: some route (the SMS default,
   * email, a rule) has gateways but none that could take a call now.
   */
  status(): DeliveryStatus {
    const routes = [this.#routes.defaultSms, this.#routes.email, ...this.#routes.rules.map((r) => r.gateways)];
    const degraded = routes.some((r) => r.length > 0 && !r.some((id) => this.usable(id)));
    const gateways = this.all().map((g) => ({
      id: g.id,
      link: hasHealth(g) ? (g.health().up ? ('up' as const) : ('down' as const)) : ('none' as const),
      circuit: this.breaker(g.id).state,
      ...(this.usable(g.id) ? {} : { cause: this.cause(g.id) }),
    }));
    return { degraded, gateways };
  }

  slots(id: string): Slots {
    return this.#slots.get(id)!;
  }

  /** Free call slots over every gateway: how many messages a dispatcher can take on now. */
  freeSlots(): number {
    let n = 0;
    for (const s of this.#slots.values()) n += s.free;
    return n;
  }

  throttle(id: string): Throttle | undefined {
    return this.#throttles.get(id);
  }

  all(): Gateway[] {
    return [...this.#gateways.values()];
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.all().map((g) => g.close?.()));
  }
}
