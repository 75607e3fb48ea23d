/**
 * The ways a code reaches a person, declared once: the outbox, routing, services and every API
 * surface read this list. `voice` and `whatsapp` join it when a gateway can carry them.
 */
export const CHANNELS = ['sms', 'email'] as const;

export type Channel = (typeof CHANNELS)[number];

export const isChannel = (v: unknown): v is Channel => (CHANNELS as readonly unknown[]).includes(v);
