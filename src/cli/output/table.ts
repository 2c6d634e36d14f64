/**
 * Plain aligned tables for people: columns separated by two spaces, no borders, so they
 * read well and still cut nicely with `awk`. Cells come from the server (names, properties);
 * control characters are escaped so a crafted name cannot drive the terminal.
 */

export interface Column {
  header: string;
  /** Numbers read better right-aligned. */
  align?: 'left' | 'right';
}

export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\t' ? ' ' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

export function renderTable(columns: Column[], rows: string[][]): string {
  const cells = rows.map((row) => columns.map((_, i) => printable(row[i] ?? '')));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row
    .map((cell, i) => (columns[i]!.align === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
    .join('  ')
    .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** A record as `field  value` lines, fields aligned; multi-line values stay under their column. */
export function renderFields(fields: [string, string][]): string {
  const width = Math.max(0, ...fields.map(([name]) => printable(name).length));
  return fields
    .map(([name, value]) => {
      const [head = '', ...rest] = value.split('\n').map(printable);
      const indent = ' '.repeat(width + 2);
      return [`${printable(name).padEnd(width)}  ${head}`.trimEnd(), ...rest.map((l) => `${indent}${l}`)].join('\n');
    })
    .join('\n');
}
