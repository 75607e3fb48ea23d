import type { Clock } from '../core/clock.ts';
import type { Channel, Gateway } from '../core/ports/gateway.ts';
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

  constructor(o: GatewayPoolOptions) {
    this.#routes = o.routes;
    this.#phones = o.phones;
    for (const g of o.gateways) {
      this.#gateways.set(g.id, g);
      this.#breakers.set(g.id, new CircuitBreaker(o.breaker, o.clock, (s) => o.onCircuit?.(g.id, s)));
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
    if (channel === 'email') return this.#routes.email;
    let country = known;
    for (const rule of this.#routes.rules) {
      if (rule.prefixes?.some((p) => recipient.startsWith(p))) return rule.gateways;
      if (rule.countries) {
        country ??= this.#phones.inspect(recipient).country ?? '';
        if (rule.countries.includes(country)) return rule.gateways;
      }
    }
    return this.#routes.defaultSms;
  }

  gateway(id: string): Gateway {
    const g = this.#gateways.get(id);
    if (!g) throw new Error(`no gateway "${id}"`);
    return g;
  }

  breaker(id: string): CircuitBreaker {
    return this.#breakers.get(id)!;
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
