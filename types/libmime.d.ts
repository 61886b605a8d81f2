declare module 'libmime' {
  const libmime: {
    decodeWords(str: string): string;
    encodeWord(data: string, mimeType?: string, maxLength?: number): string;
    foldLines(str: string, lineLength?: number, afterSpace?: boolean): string;
  };
  export default libmime;
}
