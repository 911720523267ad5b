// A minimal OTLP protobuf encoder for the memory benchmark: it builds many
// distinct batches (a million users) much faster than the OTel SDK can, with
// the same wire format (field numbers of opentelemetry-proto v1).

class Writer {
  constructor() {
    this.parts = [];
  }
  bytes(b) {
    this.parts.push(b);
  }
  varint(v) {
    const out = [];
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    this.parts.push(Buffer.from(out));
  }
  tag(field, wire) {
    this.varint(field * 8 + wire);
  }
  string(field, s) {
    const b = Buffer.from(s, 'utf8');
    this.tag(field, 2);
    this.varint(b.length);
    this.parts.push(b);
  }
  message(field, build) {
    const w = new Writer();
    build(w);
    const b = w.finish();
    this.tag(field, 2);
    this.varint(b.length);
    this.parts.push(b);
  }
  fixed64(field, v) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.tag(field, 1);
    this.parts.push(b);
  }
  double(field, v) {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.tag(field, 1);
    this.parts.push(b);
  }
  finish() {
    return Buffer.concat(this.parts);
  }
}

function keyValue(w, field, key, value) {
  w.message(field, (kv) => {
    kv.string(1, key);
    kv.message(2, (av) => {
      if (typeof value === 'string') av.string(1, value);
      else {
        av.tag(3, 0);
        av.varint(value);
      }
    });
  });
}

function resource(w, attrs) {
  w.message(1, (r) => {
    for (const [k, v] of Object.entries(attrs)) keyValue(r, 1, k, v);
  });
}

/** `ExportTraceServiceRequest` of `spans` = [{ traceId: Buffer(16), spanId: Buffer(8), startNs, endNs, attrs }]. */
export function encodeTraces(resourceAttrs, scopeName, spans) {
  const w = new Writer();
  w.message(1, (rs) => {
    resource(rs, resourceAttrs);
    rs.message(2, (ss) => {
      ss.message(1, (scope) => scope.string(1, scopeName));
      for (const s of spans) {
        ss.message(2, (sp) => {
          sp.tag(1, 2);
          sp.varint(16);
          sp.bytes(s.traceId);
          sp.tag(2, 2);
          sp.varint(8);
          sp.bytes(s.spanId);
          sp.string(5, 'chat');
          sp.fixed64(7, s.startNs);
          sp.fixed64(8, s.endNs);
          for (const [k, v] of Object.entries(s.attrs)) keyValue(sp, 9, k, v);
        });
      }
    });
  });
  return w.finish();
}

/**
 * `ExportMetricsServiceRequest`: one cumulative monotonic sum (`tokenmeter.tokens`) and one cumulative
 * histogram (`gen_ai.client.token.usage`) with a point per attribute set in `points` = [{ attrs, value }].
 */
export function encodeMetrics(resourceAttrs, scopeName, points, timeNs) {
  const bounds = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
  const w = new Writer();
  w.message(1, (rm) => {
    resource(rm, resourceAttrs);
    rm.message(2, (sm) => {
      sm.message(1, (scope) => scope.string(1, scopeName));
      sm.message(2, (m) => {
        m.string(1, 'tokenmeter.tokens');
        m.message(7, (sum) => {
          for (const p of points) {
            sum.message(1, (dp) => {
              dp.fixed64(3, timeNs);
              dp.double(4, p.value);
              for (const [k, v] of Object.entries(p.attrs)) keyValue(dp, 7, k, v);
            });
          }
          sum.tag(2, 0);
          sum.varint(2); // cumulative
          sum.tag(3, 0);
          sum.varint(1); // monotonic
        });
      });
      sm.message(2, (m) => {
        m.string(1, 'gen_ai.client.token.usage');
        m.message(9, (h) => {
          for (const p of points) {
            h.message(1, (dp) => {
              dp.fixed64(3, timeNs);
              dp.fixed64(4, 1);
              dp.double(5, p.value);
              const counts = bounds.map((b) => (p.value <= b ? 1 : 0));
              let seen = false;
              const one = counts.map((c) => (c === 1 && !seen ? ((seen = true), 1) : 0));
              for (const c of [...one, seen ? 0 : 1]) dp.fixed64(6, c);
              for (const b of bounds) dp.double(7, b);
              for (const [k, v] of Object.entries(p.attrs)) keyValue(dp, 9, k, v);
            });
          }
          h.tag(2, 0);
          h.varint(2); // cumulative
        });
      });
    });
  });
  return w.finish();
}
