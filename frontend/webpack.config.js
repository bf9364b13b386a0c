const path = require('node:path');
const HtmlWebpackPlugin = require('html-webpack-plugin');
const MiniCssExtractPlugin = require('mini-css-extract-plugin');
// The SPA is written against React's API and runs on Preact (preact-aliases.cjs says why).
const PREACT_ALIASES = require('./preact-aliases.cjs');

// webpack's own minimizer (the one it applies by default), resolved where webpack finds it.
const MinimizerPlugin = require(
  require.resolve('minimizer-webpack-plugin', { paths: [path.dirname(require.resolve('webpack/package.json'))] }),
);

// zxcvbn is ~800 kB of word lists; minifying its sources took nearly all of a production
// build (80–130 s). Its package ships a minified build: use that, do not parse it (a
// browserify bundle with no imports of ours), and do not minify its chunk again.
const ZXCVBN_DIST = path.resolve(__dirname, 'node_modules/zxcvbn/dist/zxcvbn.js');

module.exports = (env, argv) => {
  const production = argv.mode !== 'development';
  return {
    mode: production ? 'production' : 'development',
    entry: { main: './src/index.tsx' },
    // Modules and minified chunks are kept in node_modules/.cache/webpack: a rebuild after
    // a source change minifies only the chunks that changed (not react-dom's vendor chunk).
    // The Babel config and package.json (its browserslist: what Babel and webpack compile
    // for) are build dependencies too: a change to either rebuilds every module.
    cache: {
      type: 'filesystem',
      // a cache of its own since React's modules resolve to Preact (not the React build's)
      name: `${production ? 'production' : 'development'}-preact`,
      buildDependencies: {
        config: [
          __filename,
          path.resolve(__dirname, 'babel.config.js'),
          path.resolve(__dirname, 'package.json'),
          path.resolve(__dirname, 'preact-aliases.cjs'),
        ],
      },
    },
    output: {
      path: path.resolve(__dirname, 'dist'),
      filename: '[name].[contenthash].js',
      chunkFilename: '[name].[contenthash].js',
      assetModuleFilename: '[name].[contenthash][ext]',
      publicPath: '/',
      clean: true,
    },
    // No eval-based source maps: the CSP is default-src 'self'. In production the maps
    // are written for debugging but not referenced from the bundles (hidden).
    devtool: production ? 'hidden-source-map' : 'cheap-module-source-map',
    module: {
      noParse: [ZXCVBN_DIST],
      rules: [
        { test: /\.[jt]sx?$/, exclude: /node_modules/, use: 'babel-loader' },
        { test: /\.css$/, use: [MiniCssExtractPlugin.loader, 'css-loader'] },
        // The catalogues' ICU messages are parsed here, not in the browser (no parser shipped).
        {
          test: /[\\/]src[\\/]translations[\\/][^\\/]+\.json$/,
          type: 'json',
          use: path.resolve(__dirname, 'scripts/icu-ast-loader.cjs'),
        },
      ],
    },
    resolve: {
      extensions: ['.ts', '.tsx', '.js', '.jsx'],
      alias: {
        zxcvbn$: ZXCVBN_DIST,
        // Every message reaches react-intl as an AST (scripts/icu-ast-loader.cjs).
        '@formatjs/icu-messageformat-parser$': require.resolve('@formatjs/icu-messageformat-parser/no-parser.js'),
        // React's API, run by Preact (preact-aliases.cjs says why); `$`: exact requests only
        ...Object.fromEntries(Object.entries(PREACT_ALIASES).map(([from, to]) => [`${from}$`, to])),
        // react-router's package.json sends every bundler to dist/development (no condition
        // selects dist/production); the production copy is the same code with its dev
        // warnings switched off, so the minifier drops them (0.5 kB gzipped).
        ...(production ? { 'react-router$': path.resolve(__dirname, 'node_modules/react-router/dist/production/index.mjs') } : {}),
      },
    },
    plugins: [
      new HtmlWebpackPlugin({
        template: './src/index.html',
        publicPath: '/',
        scriptLoading: 'defer',
      }),
      new MiniCssExtractPlugin({
        filename: '[name].[contenthash].css',
        chunkFilename: '[name].[contenthash].css',
      }),
    ],
    optimization: {
      moduleIds: 'deterministic',
      minimizer: [
        new MinimizerPlugin({
          test: /\.[cm]?js(\?.*)?$/i,
          exclude: /(^|\/)zxcvbn\.[^/]*\.js$/,
          minimizerOptions: { compress: { passes: 2 } },
        }),
      ],
      runtimeChunk: 'single',
      splitChunks: {
        cacheGroups: {
          vendor: { test: /[\\/]node_modules[\\/]/, name: 'vendor', chunks: 'initial' },
        },
      },
    },
    performance: { hints: false },
  };
};
