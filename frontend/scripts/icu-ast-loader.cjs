/**
 * webpack loader for the translation catalogues (src/translations/*.json): each ICU
 * message is parsed at build time into the AST react-intl formats (formatjs's own
 * parser, the one react-intl would run in the browser). The bundle then ships
 * `@formatjs/icu-messageformat-parser/no-parser.js` instead of the parser (~8 kB gzipped
 * less initial JS; see formatjs's performance guide, "Remove the parser"), and a
 * message with a syntax error fails the build instead of a page.
 *
 * Input: a JSON object of message id -> ICU string. Output: the same ids -> AST (JSON).
 */
const { parse } = require('@formatjs/icu-messageformat-parser');

module.exports = function icuAstLoader(source) {
  const catalogue = JSON.parse(source);
  const compiled = {};
  for (const [id, message] of Object.entries(catalogue)) {
    if (typeof message !== 'string') throw new Error(`${this.resourcePath}: ${id} is not a string`);
    try {
      compiled[id] = parse(message);
    } catch (error) {
      throw new Error(`${this.resourcePath}: ${id}: ${error.message}`);
    }
  }
  return JSON.stringify(compiled);
};
