/**
 * The overview's security checkup as data: one line per question, whether it is in good
 * order, what to say and where to fix it.
 */

/** Recovery codes at or below this many are a warning (the security page warns alike). */
export const FEW_RECOVERY_CODES = 2;

export interface CheckupItem {
  key: 'second_factor' | 'recovery_codes' | 'phone';
  ok: boolean;
  /** Message id and its values. */
  message: string;
  values: Record<string, string | number>;
  /** Where to fix it (or look at it) and the link's message id. */
  link: string;
  linkLabel: string;
}

export interface CheckupInput {
  credentials: { type: string }[];
  /** Unused recovery codes, null while unknown. */
  recoveryCodesLeft: number | null;
  phones: { number: string; verified: boolean; primary: boolean }[];
}

/**
 * The lines: is a second factor (TOTP, security key or passkey) on; with one, are more
 * than `FEW_RECOVERY_CODES` recovery codes left (without one there are none to count);
 * is there a verified phone number (the primary one named when it is verified).
 */
export function checkup(
  { credentials, recoveryCodesLeft, phones }: CheckupInput,
  formatPhone: (number: string) => string = (number) => number,
): CheckupItem[] {
  const secondFactor = credentials.some((credential) => credential.type === 'totp' || credential.type === 'webauthn');
  const lines: CheckupItem[] = [
    secondFactor
      ? { key: 'second_factor', ok: true, message: 'overview.mfa_on', values: {}, link: '/dashboard/security', linkLabel: 'overview.mfa_manage' }
      : { key: 'second_factor', ok: false, message: 'overview.mfa_off', values: {}, link: '/dashboard/security', linkLabel: 'overview.mfa_turn_on' },
  ];
  if (secondFactor && recoveryCodesLeft !== null) {
    const ok = recoveryCodesLeft > FEW_RECOVERY_CODES;
    lines.push({
      key: 'recovery_codes',
      ok,
      message: ok ? 'overview.codes_left' : 'overview.codes_few',
      values: { count: recoveryCodesLeft },
      link: '/dashboard/security',
      linkLabel: ok ? 'overview.codes_manage' : 'overview.codes_new',
    });
  }
  const verified = phones.filter((phone) => phone.verified);
  const shown = verified.find((phone) => phone.primary) ?? verified[0];
  lines.push(
    shown
      ? { key: 'phone', ok: true, message: 'overview.phone_verified', values: { number: formatPhone(shown.number) }, link: '/dashboard/phones', linkLabel: 'overview.manage_phones' }
      : { key: 'phone', ok: false, message: 'overview.phone_missing', values: {}, link: '/dashboard/phones', linkLabel: 'overview.phone_add' },
  );
  return lines;
}
