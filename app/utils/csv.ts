/**
 * A value as a spreadsheet-safe CSV cell. Spreadsheets run cells that start with =, +, -, @, a tab or a
 * carriage return as formulas; a leading apostrophe keeps them text.
 */
export function spreadsheetCell(value: string | number | null | undefined): string | number {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
