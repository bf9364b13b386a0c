// Jest runs the sources as CommonJS on the current Node; webpack keeps ES modules
// so it can tree-shake and split the zxcvbn chunk. Babel only strips the types:
// `tsc --noEmit` (run by `npm test` and `npm run build`) is what checks them.
module.exports = (api) => {
  const isTest = api.env('test');
  return {
    presets: [
      [
        '@babel/preset-env',
        isTest ? { targets: { node: 'current' } } : { modules: false, bugfixes: true },
      ],
      ['@babel/preset-react', { runtime: 'automatic' }],
      ['@babel/preset-typescript', { onlyRemoveTypeImports: true }],
    ],
  };
};
