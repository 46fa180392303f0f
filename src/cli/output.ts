// Plain-text output: aligned tables, CSV, JSON. Writes go to the given stream (tests capture them).
export interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean };
  in: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export function printJson(io: Io, value: unknown): void {
  io.out.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cells = rows.map((row) => columns.map((c) => cell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}

export function csv(rows: Record<string, unknown>[], columns: string[]): string {
  const quote = (v: string) =>
    /[",\r\n]/.test(v) || /^[=+\-@]/.test(v) ? `"${v.replace(/^([=+\-@])/, "'$1").replace(/"/g, '""')}"` : v;
  return (
    [columns.join(','), ...rows.map((row) => columns.map((c) => quote(cell(row[c]))).join(','))].join('\r\n') + '\r\n'
  );
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cell).join(' ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** pass / warn / fail, marked so they stand out without colour. */
export function mark(status: string): string {
  return status === 'pass' ? '[pass]' : status === 'warn' ? '[WARN]' : status === 'fail' ? '[FAIL]' : `[${status}]`;
}
