// Generated from otpd's OpenAPI document by scripts/generate-client.ts: do not edit.
export interface paths {
    "/v1/events/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Posts delivered and abandoned events again (an operator key: every tenant) */
        post: operations["replayEvents"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/services": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Lists the client's services, a page at a time */
        get: operations["listServices"];
        put?: never;
        /** Creates a service (a named configuration of codes, limits, channels and texts) */
        post: operations["createService"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/services/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Reads a service */
        get: operations["getService"];
        put?: never;
        post?: never;
        /** Deletes a service (its verifications keep working until they expire) */
        delete: operations["deleteService"];
        options?: never;
        head?: never;
        /** Changes a service: the fields sent replace the stored ones; null clears an override */
        patch: operations["updateService"];
        trace?: never;
    };
    "/v1/services/{id}/webhook": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Reads the service's webhook and its delivery status */
        get: operations["getWebhook"];
        /** Sets the URL the service's events are posted to (a new endpoint gets its secret) */
        put: operations["putWebhook"];
        post?: never;
        /** Removes the service's webhook */
        delete: operations["deleteWebhook"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/services/{id}/webhook/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Enables a webhook that was disabled after failing for a day */
        post: operations["enableWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/services/{id}/webhook/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A new signing secret; the previous one still signs until the next rotation */
        post: operations["rotateWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/verifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sends a code; while one is pending for the recipient in the service, sends the same code again
         * @description 201 with a new verification; 200 with the pending one when its code was sent again (a send attempt, within the same limits). A 429 may carry a proof-of-work `challenge`: solve it and send it back.
         */
        post: operations["startVerification"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/verifications/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Reads a verification's status and each send attempt's delivery status */
        get: operations["getVerification"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/verifications/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancels a pending verification: its code no longer works */
        post: operations["cancelVerification"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/verifications/check": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Checks a code, by verification id or by recipient
         * @description Always 200 with the status: `valid` is true for the check that approved it. A verification that is no longer pending answers its status and compares nothing.
         */
        post: operations["checkVerification"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface webhooks {
    "fraud.refused": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A fraud defence refused a send
         * @description Posted to the service webhook, at least once and in order per verification, signed with the service's secret (both secrets during a rotation). Answer 2xx; anything else is retried for a day.
         */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-id": string;
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-signature": string;
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-timestamp": string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        data: {
                            /**
                             * Format: date-time
                             * @description When it happened
                             */
                            at: string;
                            /** @enum {string} */
                            channel: "sms" | "email";
                            /** @description The defence that refused the send, e.g. block_list, number_type, velocity_prefix, range_block */
                            defence: string;
                            /** @description The service id (`VA…`) */
                            service: string;
                            /** @description The recipient, masked: never the full number or address */
                            to: string;
                        };
                        /**
                         * Format: date-time
                         * @description When it happened
                         */
                        timestamp: string;
                        /** @enum {string} */
                        type: "fraud.refused";
                    };
                };
            };
            responses: {
                /** @description Received */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "message.delivered": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A delivery receipt says the message arrived
         * @description Posted to the service webhook, at least once and in order per verification, signed with the service's secret (both secrets during a rotation). Answer 2xx; anything else is retried for a day.
         */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-id": string;
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-signature": string;
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-timestamp": string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        data: {
                            /**
                             * Format: date-time
                             * @description When it happened
                             */
                            at: string;
                            /** @description Send attempts so far */
                            attempts: number;
                            /** @enum {string} */
                            channel: "sms" | "email";
                            /** @description The gateway's reason, for a failure */
                            error?: string | null;
                            /** @description The gateway that took it (or last tried) */
                            gateway?: string | null;
                            /** @description The message id */
                            message: string;
                            /** @description The service id (`VA…`) */
                            service: string;
                            /** @description sent, delivered, failed, expired (its code expired before it could be sent) or abandoned */
                            status: string;
                            /** @description The recipient, masked: never the full number or address */
                            to: string;
                            /** @description The verification the message carries a code of */
                            verification: string;
                        };
                        /**
                         * Format: date-time
                         * @description When it happened
                         */
                        timestamp: string;
                        /** @enum {string} */
                        type: "message.delivered";
                    };
                };
            };
            responses: {
                /** @description Received */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "message.failed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A message failed, with the reason
         * @description Posted to the service webhook, at least once and in order per verification, signed with the service's secret (both secrets during a rotation). Answer 2xx; anything else is retried for a day.
         */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-id": string;
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-signature": string;
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-timestamp": string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        data: {
                            /**
                             * Format: date-time
                             * @description When it happened
                             */
                            at: string;
                            /** @description Send attempts so far */
                            attempts: number;
                            /** @enum {string} */
                            channel: "sms" | "email";
                            /** @description The gateway's reason, for a failure */
                            error?: string | null;
                            /** @description The gateway that took it (or last tried) */
                            gateway?: string | null;
                            /** @description The message id */
                            message: string;
                            /** @description The service id (`VA…`) */
                            service: string;
                            /** @description sent, delivered, failed, expired (its code expired before it could be sent) or abandoned */
                            status: string;
                            /** @description The recipient, masked: never the full number or address */
                            to: string;
                            /** @description The verification the message carries a code of */
                            verification: string;
                        };
                        /**
                         * Format: date-time
                         * @description When it happened
                         */
                        timestamp: string;
                        /** @enum {string} */
                        type: "message.failed";
                    };
                };
            };
            responses: {
                /** @description Received */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "message.sent": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A gateway accepted a message with a code
         * @description Posted to the service webhook, at least once and in order per verification, signed with the service's secret (both secrets during a rotation). Answer 2xx; anything else is retried for a day.
         */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-id": string;
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-signature": string;
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-timestamp": string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        data: {
                            /**
                             * Format: date-time
                             * @description When it happened
                             */
                            at: string;
                            /** @description Send attempts so far */
                            attempts: number;
                            /** @enum {string} */
                            channel: "sms" | "email";
                            /** @description The gateway's reason, for a failure */
                            error?: string | null;
                            /** @description The gateway that took it (or last tried) */
                            gateway?: string | null;
                            /** @description The message id */
                            message: string;
                            /** @description The service id (`VA…`) */
                            service: string;
                            /** @description sent, delivered, failed, expired (its code expired before it could be sent) or abandoned */
                            status: string;
                            /** @description The recipient, masked: never the full number or address */
                            to: string;
                            /** @description The verification the message carries a code of */
                            verification: string;
                        };
                        /**
                         * Format: date-time
                         * @description When it happened
                         */
                        timestamp: string;
                        /** @enum {string} */
                        type: "message.sent";
                    };
                };
            };
            responses: {
                /** @description Received */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "verification.approved": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A verification was approved (right code, or approved by the API)
         * @description Posted to the service webhook, at least once and in order per verification, signed with the service's secret (both secrets during a rotation). Answer 2xx; anything else is retried for a day.
         */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-id": string;
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-signature": string;
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-timestamp": string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        data: {
                            /**
                             * Format: date-time
                             * @description When it happened
                             */
                            at: string;
                            /** @enum {string} */
                            channel: "sms" | "email";
                            /** @description Checks made */
                            checks: number;
                            /**
                             * Format: date-time
                             * @description When the verification started
                             */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description When its code expires
                             */
                            expiresAt: string;
                            /** @description Checks allowed */
                            maxChecks: number;
                            /** @description The service id (`VA…`) */
                            service: string;
                            /** @description The recipient, masked: never the full number or address */
                            to: string;
                            /** @description The verification id (`VE…`, or the CAMARA authenticationId) */
                            verification: string;
                        };
                        /**
                         * Format: date-time
                         * @description When it happened
                         */
                        timestamp: string;
                        /** @enum {string} */
                        type: "verification.approved";
                    };
                };
            };
            responses: {
                /** @description Received */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "verification.canceled": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A verification was canceled
         * @description Posted to the service webhook, at least once and in order per verification, signed with the service's secret (both secrets during a rotation). Answer 2xx; anything else is retried for a day.
         */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-id": string;
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-signature": string;
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-timestamp": string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        data: {
                            /**
                             * Format: date-time
                             * @description When it happened
                             */
                            at: string;
                            /** @enum {string} */
                            channel: "sms" | "email";
                            /** @description Checks made */
                            checks: number;
                            /**
                             * Format: date-time
                             * @description When the verification started
                             */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description When its code expires
                             */
                            expiresAt: string;
                            /** @description Checks allowed */
                            maxChecks: number;
                            /** @description The service id (`VA…`) */
                            service: string;
                            /** @description The recipient, masked: never the full number or address */
                            to: string;
                            /** @description The verification id (`VE…`, or the CAMARA authenticationId) */
                            verification: string;
                        };
                        /**
                         * Format: date-time
                         * @description When it happened
                         */
                        timestamp: string;
                        /** @enum {string} */
                        type: "verification.canceled";
                    };
                };
            };
            responses: {
                /** @description Received */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "verification.expired": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A verification expired unused
         * @description Posted to the service webhook, at least once and in order per verification, signed with the service's secret (both secrets during a rotation). Answer 2xx; anything else is retried for a day.
         */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-id": string;
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-signature": string;
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-timestamp": string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        data: {
                            /**
                             * Format: date-time
                             * @description When it happened
                             */
                            at: string;
                            /** @enum {string} */
                            channel: "sms" | "email";
                            /** @description Checks made */
                            checks: number;
                            /**
                             * Format: date-time
                             * @description When the verification started
                             */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description When its code expires
                             */
                            expiresAt: string;
                            /** @description Checks allowed */
                            maxChecks: number;
                            /** @description The service id (`VA…`) */
                            service: string;
                            /** @description The recipient, masked: never the full number or address */
                            to: string;
                            /** @description The verification id (`VE…`, or the CAMARA authenticationId) */
                            verification: string;
                        };
                        /**
                         * Format: date-time
                         * @description When it happened
                         */
                        timestamp: string;
                        /** @enum {string} */
                        type: "verification.expired";
                    };
                };
            };
            responses: {
                /** @description Received */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "verification.max_attempts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A verification failed: every check it allowed was wrong
         * @description Posted to the service webhook, at least once and in order per verification, signed with the service's secret (both secrets during a rotation). Answer 2xx; anything else is retried for a day.
         */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-id": string;
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-signature": string;
                    /** @description Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret */
                    "webhook-timestamp": string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        data: {
                            /**
                             * Format: date-time
                             * @description When it happened
                             */
                            at: string;
                            /** @enum {string} */
                            channel: "sms" | "email";
                            /** @description Checks made */
                            checks: number;
                            /**
                             * Format: date-time
                             * @description When the verification started
                             */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description When its code expires
                             */
                            expiresAt: string;
                            /** @description Checks allowed */
                            maxChecks: number;
                            /** @description The service id (`VA…`) */
                            service: string;
                            /** @description The recipient, masked: never the full number or address */
                            to: string;
                            /** @description The verification id (`VE…`, or the CAMARA authenticationId) */
                            verification: string;
                        };
                        /**
                         * Format: date-time
                         * @description When it happened
                         */
                        timestamp: string;
                        /** @enum {string} */
                        type: "verification.max_attempts";
                    };
                };
            };
            responses: {
                /** @description Received */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface components {
    schemas: {
        /** NativeService */
        "def-0": {
            alphabet?: "numeric" | "alphanumeric";
            androidAppHash?: string;
            channels?: ("sms" | "email")[];
            codeLength?: number;
            /** Format: date-time */
            createdAt: string;
            /** @description The client's default service (CAMARA calls use it) */
            default: boolean;
            /**
             * @description BCP 47 language tag: `pt-BR` falls back to `pt`, then to the service default, then `en`
             * @example pt-BR
             */
            defaultLocale?: string;
            friendlyName: string;
            /** @description A service id */
            id: string;
            maxChecks?: number;
            maxSends?: number;
            sendWindowSeconds?: number;
            templates?: {
                [key: string]: {
                    emailHtml?: string;
                    emailSubject?: string;
                    emailText?: string;
                    sms?: string;
                };
            };
            ttlSeconds?: number;
            /** Format: date-time */
            updatedAt: string;
            webOtpDomain?: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    replayEvents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    service?: string;
                    /**
                     * Format: date-time
                     * @description Events that happened at or after this time
                     */
                    since: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        replayed: number;
                    };
                };
            };
            /** @description Problem 400 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 401 */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 403 */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description METHOD_NOT_ALLOWED */
            405: {
                headers: {
                    /** @description The methods this path serves */
                    allow?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description NOT_ACCEPTABLE: Accept excludes application/json */
            406: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description CONTENT_TOO_LARGE: the body is larger than bodyLimit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNSUPPORTED_MEDIA_TYPE: the Content-Type is not accepted here */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 429 */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description INTERNAL: the message carries only the request id */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNAVAILABLE: not ready, shutting down, or (send-code) delivery has fallen behind */
            503: {
                headers: {
                    /** @description Seconds to wait, when delivery has fallen behind */
                    "retry-after"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    listServices: {
        parameters: {
            query?: {
                after?: string;
                /** @description Page size, 1 to 100; 20 */
                limit?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Pass as `after` for the next page */
                        next: string | null;
                        services: components["schemas"]["def-0"][];
                    };
                };
            };
            /** @description Problem 400 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 401 */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 403 */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description METHOD_NOT_ALLOWED */
            405: {
                headers: {
                    /** @description The methods this path serves */
                    allow?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description NOT_ACCEPTABLE: Accept excludes application/json */
            406: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 429 */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description INTERNAL: the message carries only the request id */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNAVAILABLE: not ready, shutting down, or (send-code) delivery has fallen behind */
            503: {
                headers: {
                    /** @description Seconds to wait, when delivery has fallen behind */
                    "retry-after"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    createService: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    alphabet?: "numeric" | "alphanumeric";
                    androidAppHash?: string;
                    channels?: ("sms" | "email")[];
                    codeLength?: number;
                    /**
                     * @description BCP 47 language tag: `pt-BR` falls back to `pt`, then to the service default, then `en`
                     * @example pt-BR
                     */
                    defaultLocale?: string;
                    friendlyName: string;
                    maxChecks?: number;
                    maxSends?: number;
                    sendWindowSeconds?: number;
                    templates?: {
                        [key: string]: {
                            emailHtml?: string;
                            emailSubject?: string;
                            emailText?: string;
                            sms?: string;
                        };
                    };
                    ttlSeconds?: number;
                    webOtpDomain?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        alphabet?: "numeric" | "alphanumeric";
                        androidAppHash?: string;
                        channels?: ("sms" | "email")[];
                        codeLength?: number;
                        /** Format: date-time */
                        createdAt: string;
                        /** @description The client's default service (CAMARA calls use it) */
                        default: boolean;
                        /**
                         * @description BCP 47 language tag: `pt-BR` falls back to `pt`, then to the service default, then `en`
                         * @example pt-BR
                         */
                        defaultLocale?: string;
                        friendlyName: string;
                        /** @description A service id */
                        id: string;
                        maxChecks?: number;
                        maxSends?: number;
                        sendWindowSeconds?: number;
                        templates?: {
                            [key: string]: {
                                emailHtml?: string;
                                emailSubject?: string;
                                emailText?: string;
                                sms?: string;
                            };
                        };
                        ttlSeconds?: number;
                        /** Format: date-time */
                        updatedAt: string;
                        webOtpDomain?: string;
                    };
                };
            };
            /** @description Problem 400 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 401 */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 403 */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description METHOD_NOT_ALLOWED */
            405: {
                headers: {
                    /** @description The methods this path serves */
                    allow?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description NOT_ACCEPTABLE: Accept excludes application/json */
            406: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description CONTENT_TOO_LARGE: the body is larger than bodyLimit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNSUPPORTED_MEDIA_TYPE: the Content-Type is not accepted here */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 429 */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description INTERNAL: the message carries only the request id */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNAVAILABLE: not ready, shutting down, or (send-code) delivery has fallen behind */
            503: {
                headers: {
                    /** @description Seconds to wait, when delivery has fallen behind */
                    "retry-after"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    getService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        alphabet?: "numeric" | "alphanumeric";
                        androidAppHash?: string;
                        channels?: ("sms" | "email")[];
                        codeLength?: number;
                        /** Format: date-time */
                        createdAt: string;
                        /** @description The client's default service (CAMARA calls use it) */
                        default: boolean;
                        /**
                         * @description BCP 47 language tag: `pt-BR` falls back to `pt`, then to the service default, then `en`
                         * @example pt-BR
                         */
                        defaultLocale?: string;
                        friendlyName: string;
                        /** @description A service id */
                        id: string;
                        maxChecks?: number;
                        maxSends?: number;
                        sendWindowSeconds?: number;
                        templates?: {
                            [key: string]: {
                                emailHtml?: string;
                                emailSubject?: string;
                                emailText?: string;
                                sms?: string;
                            };
                        };
                        ttlSeconds?: number;
                        /** Format: date-time */
                        updatedAt: string;
                        webOtpDomain?: string;
                    };
                };
            };
            /** @description Problem 400 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 401 */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 403 */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 404 */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description METHOD_NOT_ALLOWED */
            405: {
                headers: {
                    /** @description The methods this path serves */
                    allow?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description NOT_ACCEPTABLE: Accept excludes application/json */
            406: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 429 */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description INTERNAL: the message carries only the request id */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNAVAILABLE: not ready, shutting down, or (send-code) delivery has fallen behind */
            503: {
                headers: {
                    /** @description Seconds to wait, when delivery has fallen behind */
                    "retry-after"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    deleteService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description INVALID_ARGUMENT: the URL, query, x-correlator or body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 401 */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 403 */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 404 */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description METHOD_NOT_ALLOWED */
            405: {
                headers: {
                    /** @description The methods this path serves */
                    allow?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 429 */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description INTERNAL: the message carries only the request id */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNAVAILABLE: not ready, shutting down, or (send-code) delivery has fallen behind */
            503: {
                headers: {
                    /** @description Seconds to wait, when delivery has fallen behind */
                    "retry-after"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    updateService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    alphabet?: ("numeric" | "alphanumeric") | null;
                    androidAppHash?: string | null;
                    channels?: ("sms" | "email")[] | null;
                    codeLength?: number | null;
                    defaultLocale?: string | null;
                    friendlyName?: string;
                    maxChecks?: number | null;
                    maxSends?: number | null;
                    sendWindowSeconds?: number | null;
                    templates?: {
                        [key: string]: {
                            emailHtml?: string;
                            emailSubject?: string;
                            emailText?: string;
                            sms?: string;
                        };
                    } | null;
                    ttlSeconds?: number | null;
                    webOtpDomain?: string | null;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        alphabet?: "numeric" | "alphanumeric";
                        androidAppHash?: string;
                        channels?: ("sms" | "email")[];
                        codeLength?: number;
                        /** Format: date-time */
                        createdAt: string;
                        /** @description The client's default service (CAMARA calls use it) */
                        default: boolean;
                        /**
                         * @description BCP 47 language tag: `pt-BR` falls back to `pt`, then to the service default, then `en`
                         * @example pt-BR
                         */
                        defaultLocale?: string;
                        friendlyName: string;
                        /** @description A service id */
                        id: string;
                        maxChecks?: number;
                        maxSends?: number;
                        sendWindowSeconds?: number;
                        templates?: {
                            [key: string]: {
                                emailHtml?: string;
                                emailSubject?: string;
                                emailText?: string;
                                sms?: string;
                            };
                        };
                        ttlSeconds?: number;
                        /** Format: date-time */
                        updatedAt: string;
                        webOtpDomain?: string;
                    };
                };
            };
            /** @description Problem 400 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 401 */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 403 */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 404 */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description METHOD_NOT_ALLOWED */
            405: {
                headers: {
                    /** @description The methods this path serves */
                    allow?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description NOT_ACCEPTABLE: Accept excludes application/json */
            406: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description CONTENT_TOO_LARGE: the body is larger than bodyLimit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNSUPPORTED_MEDIA_TYPE: the Content-Type is not accepted here */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 429 */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description INTERNAL: the message carries only the request id */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNAVAILABLE: not ready, shutting down, or (send-code) delivery has fallen behind */
            503: {
                headers: {
                    /** @description Seconds to wait, when delivery has fallen behind */
                    "retry-after"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    getWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Events waiting for delivery */
                        backlog: number;
                        /** Format: date-time */
                        disabledAt: string | null;
                        /** @description false once it has failed for a day; enable it again after fixing it */
                        enabled: boolean;
                        /** Format: date-time */
                        failingSince: string | null;
                        lastError: string | null;
                        /** Format: date-time */
                        lastErrorAt: string | null;
                        /** Format: date-time */
                        lastSuccessAt: string | null;
                        /** @description The new signing secret (Standard Webhooks `whsec_…`): shown only on creation and rotation */
                        secret?: string;
                        /** @description Secrets that sign each event: 2 during a rotation */
                        secrets: number;
                        service: string;
                        url: string;
                    };
                };
            };
            /** @description Problem 400 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 401 */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 403 */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 404 */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description METHOD_NOT_ALLOWED */
            405: {
                headers: {
                    /** @description The methods this path serves */
                    allow?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description NOT_ACCEPTABLE: Accept excludes application/json */
            406: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 429 */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description INTERNAL: the message carries only the request id */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNAVAILABLE: not ready, shutting down, or (send-code) delivery has fallen behind */
            503: {
                headers: {
                    /** @description Seconds to wait, when delivery has fallen behind */
                    "retry-after"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    putWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    url: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Events waiting for delivery */
                        backlog: number;
                        /** Format: date-time */
                        disabledAt: string | null;
                        /** @description false once it has failed for a day; enable it again after fixing it */
                        enabled: boolean;
                        /** Format: date-time */
                        failingSince: string | null;
                        lastError: string | null;
                        /** Format: date-time */
                        lastErrorAt: string | null;
                        /** Format: date-time */
                        lastSuccessAt: string | null;
                        /** @description The new signing secret (Standard Webhooks `whsec_…`): shown only on creation and rotation */
                        secret?: string;
                        /** @description Secrets that sign each event: 2 during a rotation */
                        secrets: number;
                        service: string;
                        url: string;
                    };
                };
            };
            /** @description Problem 400 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 401 */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 403 */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 404 */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description METHOD_NOT_ALLOWED */
            405: {
                headers: {
                    /** @description The methods this path serves */
                    allow?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description NOT_ACCEPTABLE: Accept excludes application/json */
            406: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description CONTENT_TOO_LARGE: the body is larger than bodyLimit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNSUPPORTED_MEDIA_TYPE: the Content-Type is not accepted here */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 429 */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description INTERNAL: the message carries only the request id */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNAVAILABLE: not ready, shutting down, or (send-code) delivery has fallen behind */
            503: {
                headers: {
                    /** @description Seconds to wait, when delivery has fallen behind */
                    "retry-after"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    deleteWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description INVALID_ARGUMENT: the URL, query, x-correlator or body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 401 */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 403 */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 404 */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description METHOD_NOT_ALLOWED */
            405: {
                headers: {
                    /** @description The methods this path serves */
                    allow?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description NOT_ACCEPTABLE: Accept excludes application/json */
            406: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 429 */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description INTERNAL: the message carries only the request id */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNAVAILABLE: not ready, shutting down, or (send-code) delivery has fallen behind */
            503: {
                headers: {
                    /** @description Seconds to wait, when delivery has fallen behind */
                    "retry-after"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    enableWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Events waiting for delivery */
                        backlog: number;
                        /** Format: date-time */
                        disabledAt: string | null;
                        /** @description false once it has failed for a day; enable it again after fixing it */
                        enabled: boolean;
                        /** Format: date-time */
                        failingSince: string | null;
                        lastError: string | null;
                        /** Format: date-time */
                        lastErrorAt: string | null;
                        /** Format: date-time */
                        lastSuccessAt: string | null;
                        /** @description The new signing secret (Standard Webhooks `whsec_…`): shown only on creation and rotation */
                        secret?: string;
                        /** @description Secrets that sign each event: 2 during a rotation */
                        secrets: number;
                        service: string;
                        url: string;
                    };
                };
            };
            /** @description Problem 400 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 401 */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 403 */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 404 */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description METHOD_NOT_ALLOWED */
            405: {
                headers: {
                    /** @description The methods this path serves */
                    allow?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description NOT_ACCEPTABLE: Accept excludes application/json */
            406: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description CONTENT_TOO_LARGE: the body is larger than bodyLimit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNSUPPORTED_MEDIA_TYPE: the Content-Type is not accepted here */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 429 */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description INTERNAL: the message carries only the request id */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNAVAILABLE: not ready, shutting down, or (send-code) delivery has fallen behind */
            503: {
                headers: {
                    /** @description Seconds to wait, when delivery has fallen behind */
                    "retry-after"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    rotateWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Events waiting for delivery */
                        backlog: number;
                        /** Format: date-time */
                        disabledAt: string | null;
                        /** @description false once it has failed for a day; enable it again after fixing it */
                        enabled: boolean;
                        /** Format: date-time */
                        failingSince: string | null;
                        lastError: string | null;
                        /** Format: date-time */
                        lastErrorAt: string | null;
                        /** Format: date-time */
                        lastSuccessAt: string | null;
                        /** @description The new signing secret (Standard Webhooks `whsec_…`): shown only on creation and rotation */
                        secret?: string;
                        /** @description Secrets that sign each event: 2 during a rotation */
                        secrets: number;
                        service: string;
                        url: string;
                    };
                };
            };
            /** @description Problem 400 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 401 */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 403 */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 404 */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description METHOD_NOT_ALLOWED */
            405: {
                headers: {
                    /** @description The methods this path serves */
                    allow?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description NOT_ACCEPTABLE: Accept excludes application/json */
            406: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description CONTENT_TOO_LARGE: the body is larger than bodyLimit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNSUPPORTED_MEDIA_TYPE: the Content-Type is not accepted here */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 429 */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description INTERNAL: the message carries only the request id */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNAVAILABLE: not ready, shutting down, or (send-code) delivery has fallen behind */
            503: {
                headers: {
                    /** @description Seconds to wait, when delivery has fallen behind */
                    "retry-after"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    startVerification: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description A solved proof-of-work challenge from an earlier 429 */
                    challenge?: {
                        nonce: string;
                        token: string;
                    };
                    /** @description How the code is sent: sms or email */
                    channel?: "sms" | "email";
                    /**
                     * @description BCP 47 language tag: `pt-BR` falls back to `pt`, then to the service default, then `en`
                     * @example pt-BR
                     */
                    locale?: string;
                    /** @description A service id */
                    service?: string;
                    /** @description E.164 number (sms) or email address (email) */
                    to: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        channel: "sms" | "email";
                        checks: {
                            allowed: number;
                            used: number;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        expiresAt: string;
                        id: string;
                        locale: string | null;
                        sendAttempts: {
                            /** Format: date-time */
                            at: string;
                            /** @enum {string} */
                            channel: "sms" | "email";
                            error: string | null;
                            gateway: string | null;
                            /** @description The attempt, numbered from 1 */
                            id: string;
                            /** @description queued, sending, sent, delivered, failed, expired or abandoned */
                            status: string;
                        }[];
                        /** @description The service id */
                        service: string | null;
                        /** @enum {string} */
                        status: "pending" | "approved" | "canceled" | "failed" | "expired";
                        /** @description The recipient, masked */
                        to: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        channel: "sms" | "email";
                        checks: {
                            allowed: number;
                            used: number;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        expiresAt: string;
                        id: string;
                        locale: string | null;
                        sendAttempts: {
                            /** Format: date-time */
                            at: string;
                            /** @enum {string} */
                            channel: "sms" | "email";
                            error: string | null;
                            gateway: string | null;
                            /** @description The attempt, numbered from 1 */
                            id: string;
                            /** @description queued, sending, sent, delivered, failed, expired or abandoned */
                            status: string;
                        }[];
                        /** @description The service id */
                        service: string | null;
                        /** @enum {string} */
                        status: "pending" | "approved" | "canceled" | "failed" | "expired";
                        /** @description The recipient, masked */
                        to: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description Problem 400 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 401 */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 403 */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 404 */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description METHOD_NOT_ALLOWED */
            405: {
                headers: {
                    /** @description The methods this path serves */
                    allow?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description NOT_ACCEPTABLE: Accept excludes application/json */
            406: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description CONTENT_TOO_LARGE: the body is larger than bodyLimit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNSUPPORTED_MEDIA_TYPE: the Content-Type is not accepted here */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 429 */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description INTERNAL: the message carries only the request id */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 503 */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    getVerification: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A verification id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        channel: "sms" | "email";
                        checks: {
                            allowed: number;
                            used: number;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        expiresAt: string;
                        id: string;
                        locale: string | null;
                        sendAttempts: {
                            /** Format: date-time */
                            at: string;
                            /** @enum {string} */
                            channel: "sms" | "email";
                            error: string | null;
                            gateway: string | null;
                            /** @description The attempt, numbered from 1 */
                            id: string;
                            /** @description queued, sending, sent, delivered, failed, expired or abandoned */
                            status: string;
                        }[];
                        /** @description The service id */
                        service: string | null;
                        /** @enum {string} */
                        status: "pending" | "approved" | "canceled" | "failed" | "expired";
                        /** @description The recipient, masked */
                        to: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description INVALID_ARGUMENT: the URL, query, x-correlator or body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 401 */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 403 */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 404 */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description METHOD_NOT_ALLOWED */
            405: {
                headers: {
                    /** @description The methods this path serves */
                    allow?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description NOT_ACCEPTABLE: Accept excludes application/json */
            406: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 429 */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description INTERNAL: the message carries only the request id */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNAVAILABLE: not ready, shutting down, or (send-code) delivery has fallen behind */
            503: {
                headers: {
                    /** @description Seconds to wait, when delivery has fallen behind */
                    "retry-after"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    cancelVerification: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A verification id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        channel: "sms" | "email";
                        checks: {
                            allowed: number;
                            used: number;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        expiresAt: string;
                        id: string;
                        locale: string | null;
                        sendAttempts: {
                            /** Format: date-time */
                            at: string;
                            /** @enum {string} */
                            channel: "sms" | "email";
                            error: string | null;
                            gateway: string | null;
                            /** @description The attempt, numbered from 1 */
                            id: string;
                            /** @description queued, sending, sent, delivered, failed, expired or abandoned */
                            status: string;
                        }[];
                        /** @description The service id */
                        service: string | null;
                        /** @enum {string} */
                        status: "pending" | "approved" | "canceled" | "failed" | "expired";
                        /** @description The recipient, masked */
                        to: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description INVALID_ARGUMENT: the URL, query, x-correlator or body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 401 */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 403 */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 404 */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description METHOD_NOT_ALLOWED */
            405: {
                headers: {
                    /** @description The methods this path serves */
                    allow?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 409 */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description CONTENT_TOO_LARGE: the body is larger than bodyLimit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNSUPPORTED_MEDIA_TYPE: the Content-Type is not accepted here */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 429 */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description INTERNAL: the message carries only the request id */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNAVAILABLE: not ready, shutting down, or (send-code) delivery has fallen behind */
            503: {
                headers: {
                    /** @description Seconds to wait, when delivery has fallen behind */
                    "retry-after"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    checkVerification: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description Either `id`, or `to` (with `service`, else the default service) */
        requestBody: {
            content: {
                "application/json": {
                    code: string;
                    /** @description A verification id */
                    id?: string;
                    /** @description A service id */
                    service?: string;
                    to?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        channel: "sms" | "email";
                        checks: {
                            allowed: number;
                            used: number;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        expiresAt: string;
                        id: string;
                        locale: string | null;
                        /** @description The service id */
                        service: string | null;
                        /** @enum {string} */
                        status: "pending" | "approved" | "canceled" | "failed" | "expired";
                        /** @description The recipient, masked */
                        to: string;
                        /** Format: date-time */
                        updatedAt: string;
                        /** @description true only for the check that approved it */
                        valid: boolean;
                    };
                };
            };
            /** @description Problem 400 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 401 */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 403 */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 404 */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description METHOD_NOT_ALLOWED */
            405: {
                headers: {
                    /** @description The methods this path serves */
                    allow?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description NOT_ACCEPTABLE: Accept excludes application/json */
            406: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description CONTENT_TOO_LARGE: the body is larger than bodyLimit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNSUPPORTED_MEDIA_TYPE: the Content-Type is not accepted here */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Problem 429 */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description INTERNAL: the message carries only the request id */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UNAVAILABLE: not ready, shutting down, or (send-code) delivery has fallen behind */
            503: {
                headers: {
                    /** @description Seconds to wait, when delivery has fallen behind */
                    "retry-after"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The error's stable code */
                        code: string;
                        detail: string;
                        status: number;
                        title: string;
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
}
