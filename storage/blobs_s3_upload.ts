// The one put of blobs_s3.ts: a stream into an S3 object that appears only when whole.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { concatBytes } from "../bytes.ts";
import type { BlobPutOptions } from "./blobs.ts";
import { TooLargeError } from "./files.ts";

/**
 * Puts a stream as one PutObject when it fits in one part, else as a multipart upload completed
 * only after the last byte (aborted on any failure): either way the key appears only when whole.
 */
export function createUploader(client: S3Client, bucket: string, partBytes: number) {
  return async (
    key: string,
    data: Uint8Array | ReadableStream<Uint8Array>,
    { maxBytes = Infinity, check, peekBytes = 64, contentType }: BlobPutOptions = {},
  ): Promise<number> => {
    const chunks = data instanceof Uint8Array ? [data] : data;
    let buffered: Uint8Array[] = [];
    let bufferedBytes = 0;
    let size = 0;
    let head: Uint8Array | undefined = check ? new Uint8Array(0) : undefined;
    let uploadId: string | undefined;
    const parts: { ETag?: string; PartNumber: number }[] = [];
    const flush = async (body: Uint8Array) => {
      uploadId ??= (await client.send(
        new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }),
      )).UploadId!;
      const PartNumber = parts.length + 1;
      const out = await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber,
          Body: body,
        }),
      );
      parts.push({ ETag: out.ETag, PartNumber });
    };
    try {
      for await (const chunk of chunks) {
        size += chunk.byteLength;
        if (size > maxBytes) throw new TooLargeError(maxBytes);
        if (head && check) {
          head = concatBytes([head, chunk.subarray(0, peekBytes - head.length)]);
          if (head.length >= peekBytes) {
            check(head);
            head = undefined;
          }
        }
        buffered.push(chunk);
        bufferedBytes += chunk.byteLength;
        while (bufferedBytes >= partBytes) {
          const all = concatBytes(buffered);
          await flush(all.subarray(0, partBytes));
          buffered = [all.subarray(partBytes)];
          bufferedBytes = all.length - partBytes;
        }
      }
      if (head && check) check(head);
      const rest = concatBytes(buffered);
      if (uploadId === undefined) {
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: rest, ContentType: contentType }),
        );
        return size;
      }
      if (rest.length > 0) await flush(rest);
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
      return size;
    } catch (error) {
      if (uploadId !== undefined) {
        await client.send(
          new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }),
        ).catch(() => {});
      }
      throw error;
    }
  };
}
