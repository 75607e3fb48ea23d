/** What every submit_sm of an SMPP gateway carries besides its text: addresses, options, validity. */
import smpp from 'smpp';
import type { MessageTlv } from '../../core/ports/gateway.ts';
import type { SmppGatewayConfig } from './smpp-gateway.ts';

/** SMPP 3.4 §5.2.5/§5.2.6: international number, E.164 numbering plan. */
export const TON_INTERNATIONAL = 1;
export const NPI_E164 = 1;
const TON_ALPHANUMERIC = 5;
/** Short codes (up to 8 digits, no '+'): numbers that exist only inside one network. */
const TON_NETWORK_SPECIFIC = 3;
const NPI_UNKNOWN = 0;

/**
 * The operator's options (service_type, protocol_id, priority_flag, replace_if_present_flag) and
 * vendor-specific TLVs, such as India's DLT PE_ID (0x1400) and template id (0x1401). The smpp
 * package encodes only TLVs it knows by name, so each tag is registered once, as raw bytes that
 * otpd encodes itself.
 */
export function fixedParams(c: SmppGatewayConfig): smpp.Params {
  const params: smpp.Params = {
    service_type: c.serviceType,
    protocol_id: c.protocolId,
    priority_flag: c.priorityFlag,
    replace_if_present_flag: c.replaceIfPresent ? 1 : 0,
  };
  return { ...params, ...tlvParams(c.tlvs) };
}

/**
 * TLVs as submit_sm parameters. The smpp package encodes only TLVs it knows by name, so each tag is
 * registered once, as raw bytes that otpd encodes itself.
 */
export function tlvParams(tlvs: readonly MessageTlv[]): smpp.Params {
  const params: smpp.Params = {};
  for (const t of tlvs) {
    const name = `otpd_tlv_${t.tag}`;
    if (!(name in smpp.tlvs)) smpp.addTLV(name, { id: t.tag, type: smpp.types.tlv.buffer });
    params[name] =
      t.encoding === 'hex'
        ? Buffer.from(t.value, 'hex')
        : Buffer.from(t.encoding === 'cstring' ? `${t.value}\0` : t.value, 'latin1');
  }
  return params;
}

/**
 * SMPP 3.4 §7.1.1, relative format "YYMMDDhhmmss000R": how long the SMSC may keep trying, so a code
 * never reaches a handset after it expired (without it the SMSC's default applies, often days).
 * Whole seconds, at least one; capped at 99 days.
 */
export function relativeValidity(ms: number): string {
  let s = Math.min(99 * 86_400, Math.max(1, Math.floor(ms / 1000)));
  const days = Math.floor(s / 86_400);
  s -= days * 86_400;
  const two = (n: number) => String(n).padStart(2, '0');
  return `0000${two(days)}${two(Math.floor(s / 3600))}${two(Math.floor((s % 3600) / 60))}${two(s % 60)}000R`;
}

/**
 * A name goes out as alphanumeric (TON 5, NPI 0); a number with '+' or more than 8 digits as
 * international (TON 1, NPI 1); a short code (3 to 8 digits, no '+') as network specific (TON 3,
 * NPI 0). `sourceTon`/`sourceNpi` override either, for SMSCs with their own conventions.
 */
export function sourceAddress(c: SmppGatewayConfig): { addr: string; ton: number; npi: number } {
  const digits = /^\+?[0-9]+$/.test(c.sourceAddr);
  const addr = digits ? c.sourceAddr.replace(/^\+/, '') : c.sourceAddr;
  const shortCode = digits && !c.sourceAddr.startsWith('+') && addr.length <= 8;
  const ton = shortCode ? TON_NETWORK_SPECIFIC : digits ? TON_INTERNATIONAL : TON_ALPHANUMERIC;
  return { addr, ton: c.sourceTon ?? ton, npi: c.sourceNpi ?? (digits && !shortCode ? NPI_E164 : NPI_UNKNOWN) };
}
