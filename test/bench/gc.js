'use strict';

/** A full collection where node runs with --expose-gc (as `npm run bench` starts every bench); else nothing. */
function collectGarbage() {
	if (typeof global.gc === 'function') global.gc();
}

module.exports = { collectGarbage };
