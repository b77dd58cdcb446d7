import { dataError } from './records';

/**
 * A CSV time series: a header row naming the columns, then one row per time step, comma-separated,
 * fields optionally in double quotes (`""` for a quote inside). Blank lines are skipped. Errors are
 * DataErrors (E_DATA) naming `file:line`.
 *
 *   time,temperature,load
 *   0,21.5,0.82
 *   1,21.7,0.85
 */
export interface CsvTable {
  readonly file: string;
  readonly header: readonly string[];
  readonly rows: readonly { readonly line: number; readonly fields: readonly string[] }[];
}

function splitRow(text: string, where: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      for (i++; ; i++) {
        if (i >= text.length) throw dataError(where, 'unclosed quote', 'a closing " for every opening one', text.length > 60 ? `${text.slice(0, 57)}...` : text, 'close the quoted field, or write "" for a quote inside it');
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (text[i] === '"') break;
        else field += text[i];
      }
      i++;
      if (i < text.length && text[i] !== ',') throw dataError(where, 'text after a quoted field', 'a comma after the closing quote', JSON.stringify(text.slice(i, i + 10)), 'quote the whole field');
    } else {
      const end = text.indexOf(',', i);
      field = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    }
    fields.push(field.trim());
    if (i >= text.length) return fields;
    i++; // the comma
  }
}

export function parseCsv(text: string, file: string): CsvTable {
  const lines = text.split(/\r?\n/).map((raw, i) => ({ line: i + 1, raw })).filter(({ raw }) => raw.trim() !== '');
  const first = lines[0];
  if (!first) throw dataError(file, 'no rows', 'a header row and at least one row of values', 'an empty file', 'pass a CSV time series');
  const header = splitRow(first.raw, `${file}:${first.line}`);
  const empty = header.findIndex((name) => name === '');
  if (empty >= 0) throw dataError(`${file}:${first.line}`, `column ${empty + 1} has no name`, 'a header row naming every column', first.raw, 'name every column in the first row');
  const rows = lines.slice(1).map(({ line, raw }) => {
    const fields = splitRow(raw, `${file}:${line}`);
    if (fields.length !== header.length) throw dataError(`${file}:${line}`, `${fields.length} fields in a table of ${header.length} columns`, `${header.length} comma-separated fields (${header.join(', ')})`, `${fields.length}`, 'give every row one value per column');
    return { line, fields };
  });
  if (rows.length === 0) throw dataError(file, 'no rows of values', 'at least one row after the header', 'only a header', 'add the series');
  return { file, header, rows };
}

/** The values of one column as numbers; `column` defaults to the only column. */
export function csvColumn(table: CsvTable, column: string | undefined): { readonly name: string; readonly values: Float64Array } {
  const name = column ?? (table.header.length === 1 ? table.header[0] : undefined);
  const index = name === undefined ? -1 : table.header.indexOf(name);
  if (index < 0) {
    throw dataError(`${table.file}:1`, name === undefined ? 'which column to forecast?' : `no column ${JSON.stringify(name)}`, `one of ${table.header.map((h) => JSON.stringify(h)).join(', ')}`, name === undefined ? `${table.header.length} columns` : JSON.stringify(name), 'pass --target COLUMN');
  }
  const values = Float64Array.from(table.rows, ({ line, fields }) => {
    const text = fields[index] as string;
    const value = text === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(value)) throw dataError(`${table.file}:${line}`, `${text === '' ? 'missing' : 'non-numeric'} value in column ${JSON.stringify(name)}`, 'a finite number', JSON.stringify(text), 'fill or drop the row');
    return value;
  });
  return { name: name as string, values };
}
