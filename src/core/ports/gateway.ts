/** One message for one recipient, as a gateway sees it. */
export interface OutboundSms {
  readonly id: string;
  readonly to: string;
  readonly text: string;
}

export type SendResult =
  | { readonly ok: true; readonly providerMessageId: string }
  /** Transient: worth retrying later (timeouts, throttling, 5xx). Permanent: retrying cannot help. */
  | { readonly ok: false; readonly kind: 'transient' | 'permanent'; readonly error: string };

/**
 * The channel port: send one message and classify the result. Implementations never throw for a
 * delivery failure; a throw is treated as transient by the dispatcher.
 */
export interface Gateway {
  readonly id: string;
  send(message: OutboundSms, signal: AbortSignal): Promise<SendResult>;
}
