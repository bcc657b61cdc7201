/** Maps a file-system error to the strerror text Redis would print. */
export function osErrorText(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "No such file or directory";
  if (e instanceof Deno.errors.PermissionDenied) return "Permission denied";
  if (e instanceof Deno.errors.NotADirectory) return "Not a directory";
  return (e as Error).message.replace(/ \(os error \d+\).*$/s, "");
}
