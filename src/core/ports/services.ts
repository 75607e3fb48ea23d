import type { Channel } from '../channel.ts';
import type { CodeAlphabet } from '../codes.ts';

/**
 * A service's own settings, each overriding the server's configured default where set (absent:
 * the default applies, and follows the configuration when it changes).
 */
export interface ServiceSettings {
  readonly codeLength?: number;
  readonly alphabet?: CodeAlphabet;
  readonly ttlSeconds?: number;
  /** Checks (code attempts) allowed per verification. */
  readonly maxChecks?: number;
  /** Sends allowed per recipient in `sendWindowSeconds`. */
  readonly maxSends?: number;
  readonly sendWindowSeconds?: number;
  readonly channels?: readonly Channel[];
  /** BCP 47 language tag used when a start names no locale. */
  readonly defaultLocale?: string;
  /** Per-locale overrides of the built-in texts (`{code}` and `{friendly_name}` are filled in). */
  readonly templates?: Readonly<Record<string, TemplateOverride>>;
  /** The origin's host for the WebOTP line `@domain #code`. */
  readonly webOtpDomain?: string;
  /** The 11-character hash Android's SMS Retriever matches to the app. */
  readonly androidAppHash?: string;
}

export interface TemplateOverride {
  readonly sms?: string;
  readonly emailSubject?: string;
  readonly emailText?: string;
  readonly emailHtml?: string;
}

/** A named configuration per client, as on Twilio Verify: verifications are started within one. */
export interface Service {
  /** `VA` and 32 hex digits (Twilio's service sid shape), the same id on every API. */
  readonly id: string;
  readonly clientId: string;
  readonly friendlyName: string;
  /** The client's default service: CAMARA calls, and native starts that name no service, use it. */
  readonly isDefault: boolean;
  readonly settings: ServiceSettings;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ServicePage {
  readonly services: readonly Service[];
  /** The id to pass as `after` for the next page; absent on the last page. */
  readonly next?: string | undefined;
}

export interface ServiceStore {
  /** Inserts a service; a second default service for one client is refused (returns false). */
  createService(s: Service): Promise<boolean>;
  /**
   * The client's default service, created with no overrides (and the id `candidateId`) when it has
   * none yet. Concurrency: callers racing on a client without one all get the same row.
   */
  defaultService(clientId: string, now: number, candidateId: string): Promise<Service>;
  /** The service with this id if it is the client's; another client's is null, like a missing one. */
  getService(clientId: string, id: string): Promise<Service | null>;
  /** The client's services in id order, after `after` when given, at most `limit`. */
  listServices(clientId: string, limit: number, after?: string): Promise<ServicePage>;
  /** Replaces the name and settings of the client's service; false when it is not the client's. */
  updateService(
    clientId: string,
    id: string,
    friendlyName: string,
    settings: ServiceSettings,
    now: number,
  ): Promise<boolean>;
  /** Deletes the client's service; its verifications keep their id. False when not the client's. */
  deleteService(clientId: string, id: string): Promise<boolean>;
}
