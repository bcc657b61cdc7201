/**
 * Redis's script flag names, on their own so modules in an import cycle with
 * the runner (FUNCTION's loader uses them at load time) can read them while
 * the runner is still being evaluated.
 */

/** Redis's script flag names, in scripts_flags_def order (shebangs, register_function, FUNCTION LIST). */
export const SCRIPT_FLAGS = [
  "no-writes",
  "allow-oom",
  "allow-stale",
  "no-cluster",
  "allow-cross-slot-keys",
] as const;
