// Tuning knobs read from the environment (timeouts, sizes): whole numbers only, so a typo
// falls back to the built-in default instead of becoming NaN.

/** The whole number in $name when it is at least min, else undefined. */
export function envInt(name: string, min = 0): number | undefined {
  const v = process.env[name];
  return v !== undefined && /^\d+$/.test(v) && Number(v) >= min ? Number(v) : undefined;
}
