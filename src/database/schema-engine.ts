import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { PrismaAdapterFactory } from './driver';

/**
 * Loader for `@prisma/schema-engine-wasm`, the official WASM build of Prisma's schema engine,
 * driven through a Prisma driver adapter instead of the native binary (which cannot be
 * downloaded offline).
 *
 * The package's entry point imports the `.wasm` as an ES module, which Node cannot do; we
 * instantiate the `.wasm` ourselves with the JS glue as import object. The glue keeps global
 * state, so there is one instance per process. The engine leaves a timer that keeps the
 * process alive for about 10 s: command-line tools must exit explicitly.
 */

// The WebAssembly global exists in Node; its types live in lib.dom, which this project omits.
declare const WebAssembly: {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: Record<string, object>): Promise<{ exports: Record<string, unknown> }>;
};

type Glue = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');

let gluePromise: Promise<Glue> | undefined;

function loadGlue(): Promise<Glue> {
  gluePromise ??= (async () => {
    const glue: Glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmPath = path.join(
      path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')),
      'schema_engine_bg.wasm',
    );
    const module = await WebAssembly.compile(await fs.promises.readFile(wasmPath));
    const instance = await WebAssembly.instantiate(module, {
      './schema_engine_bg.js': glue,
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  gluePromise.catch(() => {
    gluePromise = undefined;
  });
  return gluePromise;
}

export async function schemaEngineVersion(): Promise<string> {
  return (await loadGlue()).version();
}

export interface EngineSession {
  engine: SchemaEngine;
  /** Log lines the engine emitted (JSON strings), useful in error messages. */
  logs: string[];
  free(): void;
}

/** Creates an engine connected through `adapterFactory` (`connect()` is the "main" database). */
export async function openSchemaEngine(adapterFactory: PrismaAdapterFactory, schema: string): Promise<EngineSession> {
  const glue = await loadGlue();
  const logs: string[] = [];
  const engine = await glue.SchemaEngine.new(
    { datamodels: [['schema.prisma', schema]] },
    (line: string) => {
      logs.push(line);
      if (logs.length > 200) logs.shift();
    },
    bindAdapterFactory(adapterFactory),
  );
  return {
    engine,
    logs,
    free: () => engine.free(),
  };
}

// ------------------------------------------------------------------------------------------
// The engine expects the "error capturing" adapter shape: every method resolves to
// { ok: true, value } or { ok: false, error }, as @prisma/driver-adapter-utils' binder does.
// Reimplemented here (a few lines) to avoid depending on a transitive package.

type Result = { ok: true; value: unknown } | { ok: false; error: unknown };

class ErrorRegistry {
  private readonly errors: Array<{ error: unknown } | undefined> = [];

  consumeError(id: number): { error: unknown } | undefined {
    const entry = this.errors[id];
    this.errors[id] = undefined;
    return entry;
  }

  registerNewError(error: unknown): number {
    let id = 0;
    while (this.errors[id] !== undefined) id++;
    this.errors[id] = { error };
    return id;
  }
}

function toError(registry: ErrorRegistry, error: unknown): Result {
  const e = error as { name?: unknown; cause?: unknown };
  if (e && e.name === 'DriverAdapterError' && typeof e.cause === 'object') {
    return { ok: false, error: e.cause };
  }
  return { ok: false, error: { kind: 'GenericJs', id: registry.registerNewError(error) } };
}

type AnyFn = (...args: any[]) => any;

function wrapAsync(registry: ErrorRegistry, fn: AnyFn): AnyFn {
  return async (...args: unknown[]) => {
    try {
      return { ok: true, value: await fn(...args) };
    } catch (error) {
      return toError(registry, error);
    }
  };
}

function wrapSync(registry: ErrorRegistry, fn: AnyFn): AnyFn {
  return (...args: unknown[]) => {
    try {
      return { ok: true, value: fn(...args) };
    } catch (error) {
      return toError(registry, error);
    }
  };
}

function bindTransaction(registry: ErrorRegistry, tx: any): object {
  const bound: Record<string, unknown> = {
    adapterName: tx.adapterName,
    provider: tx.provider,
    options: tx.options,
    queryRaw: wrapAsync(registry, tx.queryRaw.bind(tx)),
    executeRaw: wrapAsync(registry, tx.executeRaw.bind(tx)),
    commit: wrapAsync(registry, tx.commit.bind(tx)),
    rollback: wrapAsync(registry, tx.rollback.bind(tx)),
  };
  for (const name of ['createSavepoint', 'rollbackToSavepoint', 'releaseSavepoint']) {
    if (typeof tx[name] === 'function') bound[name] = wrapAsync(registry, tx[name].bind(tx));
  }
  return bound;
}

function bindAdapter(registry: ErrorRegistry, adapter: any): object {
  const bound: Record<string, unknown> = {
    adapterName: adapter.adapterName,
    provider: adapter.provider,
    errorRegistry: registry,
    queryRaw: wrapAsync(registry, adapter.queryRaw.bind(adapter)),
    executeRaw: wrapAsync(registry, adapter.executeRaw.bind(adapter)),
    // pglite-prisma-adapter 0.7.2 does not await exec() in executeScript(): a failing script
    // would look successful. Await the underlying client ourselves when we can reach it.
    executeScript: wrapAsync(registry, awaitedExecuteScript(adapter)),
    dispose: wrapAsync(registry, adapter.dispose.bind(adapter)),
    startTransaction: async (...args: unknown[]) => {
      const result = await wrapAsync(registry, adapter.startTransaction.bind(adapter))(...args);
      return result.ok ? { ok: true, value: bindTransaction(registry, result.value) } : result;
    },
  };
  if (typeof adapter.getConnectionInfo === 'function') {
    bound.getConnectionInfo = wrapSync(registry, adapter.getConnectionInfo.bind(adapter));
  }
  return bound;
}

function awaitedExecuteScript(adapter: any): AnyFn {
  const client = adapter.client;
  if (adapter.adapterName?.includes('pglite') && client && typeof client.exec === 'function') {
    return async (script: string) => {
      try {
        await client.exec(script);
      } catch (error) {
        // Let the adapter map the database error (DriverAdapterError) as it does for queries.
        adapter.onError(error);
      }
    };
  }
  return adapter.executeScript.bind(adapter);
}

function bindAdapterFactory(factory: PrismaAdapterFactory): object {
  const registry = new ErrorRegistry();
  const f = factory as any;
  return {
    adapterName: f.adapterName,
    provider: f.provider,
    errorRegistry: registry,
    connect: async () => {
      const result = await wrapAsync(registry, f.connect.bind(f))();
      return result.ok ? { ok: true, value: bindAdapter(registry, result.value) } : result;
    },
    connectToShadowDb: async () => {
      const result = await wrapAsync(registry, f.connectToShadowDb.bind(f))();
      return result.ok ? { ok: true, value: bindAdapter(registry, result.value) } : result;
    },
  };
}
