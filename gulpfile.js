// Copies what tsc does not: icons, codex files, Node-RED editors and locales, Lua scripts and flows.
const { src, dest, parallel } = require('gulp');

function nodeAssets() {
	return src(['nodes/**/*.{png,svg,html,json}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(dest('dist'));
}

function luaScripts() {
	return src('core/**/*.lua', { base: '.' }).pipe(dest('dist'));
}

function flows() {
	return src('flows/**/*.json', { base: '.' }).pipe(dest('dist'));
}

// Node-RED lists Import › Examples only from the package's own examples/ folder.
function nodeRedExamples() {
	return src('flows/node-red/*.json', { allowEmpty: true }).pipe(dest('examples'));
}

exports.build = parallel(nodeAssets, luaScripts, flows, nodeRedExamples);
