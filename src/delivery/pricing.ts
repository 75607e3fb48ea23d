import type { GatewayPool } from './gateway-pool.ts';

/** What pricing needs of a configured gateway: its id and its prices, in currency units per segment. */
export interface GatewayPrices {
  readonly id: string;
  readonly pricePerSegment?: number | undefined;
  /** Prices by ISO country where they differ from pricePerSegment. */
  readonly countryPrices?: Readonly<Record<string, number>> | undefined;
}

/** The expected cost of a message in millionths of the currency unit. */
export type Pricing = (recipient: string, segments: number, country: string | undefined) => number;

/**
 * The expected cost of a message: the first gateway of its route, its price for the country, times
 * the segments. The country comes from admission, which has already parsed the number.
 */
export function pricingFrom(gateways: readonly GatewayPrices[], pool: Pick<GatewayPool, 'plan'>): Pricing {
  const byId = new Map(gateways.map((g) => [g.id, g]));
  if (![...byId.values()].some((g) => g.pricePerSegment !== undefined || g.countryPrices)) return () => 0;
  return (recipient, segments, country) => {
    const g = byId.get(pool.plan('sms', recipient, country)[0] ?? '');
    if (!g) return 0;
    const per = (country !== undefined ? g.countryPrices?.[country] : undefined) ?? g.pricePerSegment ?? 0;
    return Math.round(per * segments * 1_000_000);
  };
}
