// The repository's existing style, with the fewest changes when it is first applied (see the measurements
// in the commit that added this file): single quotes, semicolons, trailing commas, `(x) =>`, and lines
// up to 160 columns, the length the code already uses.
/** @type {import('prettier').Config} */
export default {
  printWidth: 160,
  singleQuote: true,
};
