/**
 * Types for smpp@0.5.1 (CommonJS, ships none), limited to what otpd and its test SMSC use. The
 * package's constants exist only on the default export under ESM, so import it as
 * `import smpp from 'smpp'`. PDU fields are optional because a PDU carries only what was decoded
 * or set; values the package leaves loose are `unknown`.
 */
declare module 'smpp' {
  import { EventEmitter } from 'node:events';
  import type { Socket, Server as NetServer } from 'node:net';

  namespace smpp {
    type Params = Record<string, unknown>;

    /** Decoded short_message/message_payload: `udh` lists the IEs ([iei, len, ...data], UDHL stripped). */
    interface DecodedMessage {
      udh?: Buffer[];
      message: string | Buffer;
    }

    class PDU {
      constructor(command: string, options?: Params);
      command: string;
      command_id: number;
      command_length: number;
      command_status: number;
      sequence_number: number;
      system_id?: string;
      password?: string;
      system_type?: string;
      interface_version?: number;
      message_id?: string;
      source_addr?: string;
      source_addr_ton?: number;
      source_addr_npi?: number;
      destination_addr?: string;
      dest_addr_ton?: number;
      dest_addr_npi?: number;
      esm_class?: number;
      data_coding?: number;
      registered_delivery?: number;
      short_message?: DecodedMessage;
      message_payload?: DecodedMessage;
      receipted_message_id?: string;
      message_state?: number;
      network_error_code?: Buffer;
      isResponse(): boolean;
      response(options?: Params): PDU;
      toBuffer(): Buffer;
    }

    type ResponseCallback = (pdu: PDU) => void;
    type Request = (options?: Params, responseCallback?: ResponseCallback) => boolean;

    class Session extends EventEmitter {
      socket: Socket;
      server?: Server;
      /**
       * Writes the PDU (assigning its sequence_number); false when the socket is not writable. Throws if it
       * cannot be encoded.
       */
      send(pdu: PDU, responseCallback?: ResponseCallback, sendCallback?: ResponseCallback): boolean;
      /** socket.end(): a graceful close. */
      close(callback?: () => void): void;
      /** socket.destroy(): an abrupt close. */
      destroy(callback?: () => void): void;
      deliver_sm: Request;
      enquire_link: Request;
      unbind: Request;
      on(event: 'connect' | 'secureConnect' | 'close', listener: () => void): this;
      on(event: 'error', listener: (err: Error & { code?: string }) => void): this;
      on(event: string, listener: (pdu: PDU) => void): this;
    }

    class Server extends NetServer {
      sessions: Session[];
    }

    interface ConnectOptions {
      host: string;
      port: number;
      tls?: boolean;
      /** Passed through to net.connect / tls.connect. */
      [option: string]: unknown;
    }

    function connect(options: ConnectOptions): Session;
    function createServer(listener: (session: Session) => void): Server;
    /** With a key and certificate: SMPP over TLS (a tls.Server underneath). */
    function createServer(options: { key: string; cert: string }, listener: (session: Session) => void): Server;

    /** Command names (requests and responses) the package can encode and decode. */
    const commands: Readonly<Record<string, unknown>>;
    /** Known TLVs by name; addTLV extends it (process-wide). */
    const tlvs: Readonly<Record<string, unknown>>;
    interface TlvType {
      read(buffer: Buffer, offset: number, length: number): unknown;
      write(value: unknown, buffer: Buffer, offset: number): void;
      size(value: unknown): number;
    }
    const types: { readonly tlv: { readonly buffer: TlvType; readonly cstring: TlvType; readonly string: TlvType } };
    function addTLV(name: string, options: { id: number; type: TlvType }): void;
    /** command_status names (ESME_R…) to codes. */
    const errors: Readonly<Record<string, number>>;
    const ESME_ROK: number;
    const ESME_RSYSERR: number;
    const ESME_RINVDSTADR: number;
    const ESME_RBINDFAIL: number;
    const ESME_RINVPASWD: number;
    const ESME_RINVSYSID: number;
    const ESME_RMSGQFUL: number;
    const ESME_RTHROTTLED: number;
    const ESME_RX_T_APPN: number;
    const ESME_RINVCMDID: number;
    const ESME_RINVBNDSTS: number;
  }

  export = smpp;
}
