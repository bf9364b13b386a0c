// Style sheets are bundled by webpack (css-loader + MiniCssExtractPlugin) and stubbed in jest.
declare module '*.css';
