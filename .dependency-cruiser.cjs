/**
 * Who may import whom (docs/ARCHITECTURE.md, "Packages and who imports whom"), checked on resolved
 * paths by `npm run lint:imports`, which `npm test` runs. Biome's noRestrictedImports matches
 * import strings only and cannot tell `import type` from a runtime import, so the rules are here.
 */
const PACKAGE = '^packages/([^/]+)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-relative-import-across-packages',
      comment: 'Packages import each other by package name (@tillit/x), never by a relative path into another package.',
      severity: 'error',
      from: { path: PACKAGE },
      to: { dependencyTypes: ['local'], dependencyTypesNot: ['aliased'], path: '^packages/', pathNot: '^packages/$1/' },
    },
    {
      name: 'tests-use-package-exports',
      comment:
        'Cross-package tests, benchmarks and scripts import packages by name and their exports (e.g. @tillit/collector/testing), not packages/*/src internals.',
      severity: 'error',
      from: { path: '^(test|bench|scripts|demo)/' },
      to: { dependencyTypes: ['local'], dependencyTypesNot: ['aliased'], path: '^packages/' },
    },
    {
      name: 'schema-imports-only-zod',
      severity: 'error',
      from: { path: '^packages/schema/' },
      to: { path: '^packages/', pathNot: '^packages/schema/' },
    },
    {
      name: 'sdk-imports-schema-types-only',
      comment:
        'No zod in the browser bundle: the SDK imports @tillit/schema with `import type` only (and the zod-free scrub module).',
      severity: 'error',
      from: { path: '^packages/sdk/' },
      // Except the zod-free scrubber, the one implementation the collector uses too.
      to: {
        path: '^(packages/schema/|node_modules/zod/)',
        pathNot: '^packages/schema/src/scrub\\.ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'sdk-imports-no-other-package',
      severity: 'error',
      from: { path: '^packages/sdk/' },
      to: { path: '^packages/', pathNot: '^packages/(sdk|schema)/' },
    },
    {
      name: 'ui-uses-sdk-public-api-only',
      comment: 'The banner and the portal use the SDK through its public API (@tillit/sdk), never its internals.',
      severity: 'error',
      from: { path: '^packages/(banner|portal)/' },
      to: { path: '^packages/sdk/', pathNot: '^packages/sdk/src/index\\.ts$' },
    },
    {
      name: 'ui-kit-only-in-banner-and-portal',
      comment: 'The private @tillit/ui-kit is what the browser UIs (banner, portal, dashboard) share; nothing else uses it.',
      severity: 'error',
      from: { pathNot: '^packages/(banner|portal|dashboard|ui-kit)/' },
      to: { path: '^packages/ui-kit/' },
    },
    {
      name: 'ui-kit-imports-no-tillit-package',
      severity: 'error',
      from: { path: '^packages/ui-kit/' },
      to: { path: '^packages/', pathNot: '^packages/ui-kit/' },
    },
    {
      name: 'collector-never-imports-sdk-or-ui',
      comment: 'The collector imports schema, insights and its own modules; it serves the portal as a built file.',
      severity: 'error',
      from: { path: '^packages/collector/' },
      to: { path: '^packages/(sdk|banner|portal|ui-kit|dashboard)/' },
    },
    {
      name: 'insights-imports-schema-types-only',
      comment: 'Insights are pure functions over event streams: schema types, nothing else of Tillit.',
      severity: 'error',
      from: { path: '^packages/insights/' },
      to: { path: '^packages/', pathNot: '^packages/(insights/|schema/)' },
    },
    {
      name: 'insights-schema-import-is-type-only',
      severity: 'error',
      from: { path: '^packages/insights/' },
      to: { path: '^packages/schema/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'dashboard-talks-http-only',
      comment: 'The dashboard is an operator client of the collector over HTTP: nothing of the collector sources.',
      severity: 'error',
      from: { path: '^packages/dashboard/' },
      to: { path: '^packages/collector/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve would hide a rule break (bench/ has its own, optional node_modules).',
      severity: 'error',
      from: { pathNot: '^bench/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/|^bench/\\.work/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
