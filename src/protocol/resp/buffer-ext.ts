// Node's Buffer has fast latin1 helpers that its public typings leave out; declaring them here is
// the one typed boundary for them. latin1 maps each byte to one char, so it is binary-safe.
declare global {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
    latin1Write(text: string, offset: number, length?: number): number;
  }
}

export {};
