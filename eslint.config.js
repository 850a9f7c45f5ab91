// Flat config: typescript-eslint everywhere, n8n-nodes-base's rule sets where n8n reads our files.
const tseslint = require('typescript-eslint');
const n8n = require('eslint-plugin-n8n-nodes-base');

module.exports = tseslint.config(
	{ ignores: ['dist/**', 'examples/**', 'node_modules/**', 'coverage/**', 'docs/**', '**/*.js', '!eslint.config.js'] },
	{
		files: ['**/*.ts'],
		extends: [tseslint.configs.recommended],
		rules: {
			'@typescript-eslint/no-explicit-any': 'error',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
		},
	},
	{
		files: ['package.json'],
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
		plugins: { 'n8n-nodes-base': n8n },
		rules: { ...n8n.configs.community.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8n },
		rules: {
			...n8n.configs.credentials.rules,
			// Contradicts cred-class-field-documentation-url-not-http-url: a community package links full URLs,
			// which are never camelCase (n8n's community starter turns this one off for the same reason).
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/n8n/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8n },
		rules: { ...n8n.configs.nodes.rules },
	},
);
