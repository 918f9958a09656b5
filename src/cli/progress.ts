/** One updating line on a terminal; one line per update when piped (CI logs, files). */
export function progressLine(line: string): void {
  process.stderr.write(process.stderr.isTTY ? `\r${line}` : `${line}\n`);
}
