/** The part of the logger the insights service uses. */
export interface Log {
  warn(message: string): void;
}
