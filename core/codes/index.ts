export { DEFAULT_CHARSET } from './charset';
export { compileFormat, type CodeFormat } from './pattern';
export { checkSymbol, hasValidCheck } from './check';
export { normaliseCode, matchesFormat, checkOk } from './normalize';
export { CodeGenerator, generateCodes } from './generate';
export { maxIssuable } from './capacity';
