// Shared jest settings for every package. Tests run from TypeScript sources through swc
// (decorators and their metadata included, as NestJS and TypeORM need), and workspace
// packages resolve to their sources so a test never runs against a stale build.
const path = require('node:path');

const swcTransform = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const packagesDir = path.join(__dirname, 'packages');
// Workspace packages that live outside packages/ (the simulator is a test tool, the IVR and
// the echo agent examples).
const testPackages = {
  'meta-sim': path.join(__dirname, 'test', 'meta-sim', 'src'),
  'example-ivr': path.join(__dirname, 'examples', 'ivr', 'src'),
  'example-echo-agent': path.join(__dirname, 'examples', 'echo-agent', 'src'),
};

/**
 * @param {'unit' | 'int' | 'e2e' | 'chaos'} tier
 * @param {string} rootDir
 */
function preset(tier, rootDir) {
  const testMatch = {
    unit: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
    int: ['<rootDir>/src/**/*.int-spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
    e2e: ['<rootDir>/**/*.e2e-spec.ts'],
    chaos: ['<rootDir>/**/*.chaos-spec.ts'],
  }[tier];
  return {
    rootDir,
    testEnvironment: 'node',
    testMatch,
    transform: { '^.+\\.ts$': swcTransform },
    moduleNameMapper: {
      ...Object.fromEntries(
        Object.entries(testPackages).map(([name, dir]) => [`^@parley/${name}$`, dir]),
      ),
      '^@parley/([a-z0-9-]+)$': `${packagesDir}/$1/src`,
      '^@parley/([a-z0-9-]+)/([a-z0-9-]+)$': `${packagesDir}/$1/src/$2`,
    },
    modulePathIgnorePatterns: ['<rootDir>/dist/'],
    // Integration tests share one PostgreSQL and NATS; each file makes its own database and
    // NATS namespace, but running them one at a time keeps a 2-core machine honest.
    maxWorkers: tier === 'unit' ? '50%' : 1,
    testTimeout: tier === 'unit' ? 10_000 : tier === 'chaos' ? 180_000 : 60_000,
  };
}

module.exports = { preset };
