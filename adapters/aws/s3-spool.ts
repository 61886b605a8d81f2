// The spool on S3. `put` streams the body through a multipart-capable upload
// (no Content-Length needed) and resolves only when S3 has acknowledged the
// whole object, which is what makes the ingress's 250 honest. Objects are
// encrypted at rest by the bucket's default (KMS) and versioned, so an
// overwrite or delete can be recovered within the noncurrent-version window.
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { DomainError } from '../../core/errors.js';
import type { SpoolStore } from '../../core/ports.js';

const KEY_RE = /^[A-Za-z0-9._-]{8,128}$/;

export class S3Spool implements SpoolStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    /** Folder inside the bucket; lifecycle rules target it. */
    private readonly prefix = 'spool/',
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  private objectKey(key: string): string {
    if (!KEY_RE.test(key)) throw new DomainError('VALIDATION', `invalid spool key ${JSON.stringify(key)}`);
    return `${this.prefix}${key}.eml`;
  }

  async put(key: string, body: AsyncIterable<Uint8Array>): Promise<{ size: number }> {
    const Key = this.objectKey(key);
    let size = 0;
    const maxBytes = this.maxBytes;
    async function* counted() {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > maxBytes) throw new DomainError('MESSAGE_TOO_BIG', `message exceeds ${maxBytes} bytes`);
        yield chunk;
      }
    }
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.bucket, Key, Body: Readable.from(counted()), ContentType: 'message/rfc822' },
      // One part in flight per message: the ingress holds many connections, not many parts.
      queueSize: 1,
      leavePartsOnError: false,
    });
    await upload.done();
    return { size };
  }

  async get(key: string): Promise<Buffer> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') {
        throw new DomainError('NOT_FOUND', `spooled message ${key} not found`);
      }
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }
}
