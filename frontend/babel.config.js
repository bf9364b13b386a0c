// Jest runs the sources as CommonJS on the current Node; webpack keeps ES modules
// so it can tree-shake and split the zxcvbn chunk.
module.exports = (api) => {
  const isTest = api.env('test');
  return {
    presets: [
      [
        '@babel/preset-env',
        isTest ? { targets: { node: 'current' } } : { modules: false, bugfixes: true },
      ],
      ['@babel/preset-react', { runtime: 'automatic' }],
    ],
  };
};
