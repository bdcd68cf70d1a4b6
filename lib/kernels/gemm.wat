;; Float64 matrix products for lib/kernels/gemm.ts, in WebAssembly with 128-bit SIMD (two f64 lanes).
;;
;; Every function works on byte offsets into the exported memory; matrices are row-major f64.
;; Each output entry is the sum of its k products taken in ascending order of the inner index, with a
;; separate multiply and add (no fused multiply-add), so the results are bit for bit those of the
;; plain triple loop `for p: c[i][j] += a[i][p] * b[p][j]` that starts from +0.
;;
;; Rebuild lib/kernels/gemm_wasm.ts after editing: `deno task build:wasm` (needs wat2wasm, from
;; Debian's wabt package).
(module
  (memory (export "memory") 1)

  ;; Σ_p a[p]·b[p·n], ascending p: one output entry, for the edges of the blocked kernels.
  ;; ap: &a[i, 0]; bp: &b[0, j]; rb: bytes per row of b.
  (func $dot (param $ap i32) (param $bp i32) (param $k i32) (param $rb i32) (result f64)
    (local $s f64)
    (block $end
      (br_if $end (i32.eqz (local.get $k)))
      (loop $p
        (local.set $s (f64.add (local.get $s)
          (f64.mul (f64.load (local.get $ap)) (f64.load (local.get $bp)))))
        (local.set $ap (i32.add (local.get $ap) (i32.const 8)))
        (local.set $bp (i32.add (local.get $bp) (local.get $rb)))
        (br_if $p (local.tee $k (i32.sub (local.get $k) (i32.const 1))))))
    (local.get $s))

  ;; c[m, n] = a[m, k] · b[k, n], dense: 4 × 4 blocks of c held in eight f64x2 registers while p
  ;; runs over k; the rows and columns left over go through $dot.
  (func (export "gemm") (param $a i32) (param $b i32) (param $c i32)
    (param $m i32) (param $k i32) (param $n i32)
    (local $i i32) (local $j i32) (local $p i32) (local $r i32)
    (local $ra i32) (local $rb i32) (local $ap i32) (local $bp i32) (local $cp i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $ra (i32.shl (local.get $k) (i32.const 3)))
    (local.set $rb (i32.shl (local.get $n) (i32.const 3)))
    (block $rows4_end (loop $rows4
      (br_if $rows4_end (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
      (local.set $j (i32.const 0))
      (block $cols4_end (loop $cols4
        (br_if $cols4_end (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (local.set $c00 (v128.const i64x2 0 0)) (local.set $c01 (v128.const i64x2 0 0))
        (local.set $c10 (v128.const i64x2 0 0)) (local.set $c11 (v128.const i64x2 0 0))
        (local.set $c20 (v128.const i64x2 0 0)) (local.set $c21 (v128.const i64x2 0 0))
        (local.set $c30 (v128.const i64x2 0 0)) (local.set $c31 (v128.const i64x2 0 0))
        (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ra))))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $p (local.get $k))
        (block $inner_end
          (br_if $inner_end (i32.eqz (local.get $p)))
          (loop $inner
            (local.set $b0 (v128.load (local.get $bp)))
            (local.set $b1 (v128.load offset=16 (local.get $bp)))
            (local.set $x0 (v128.load64_splat (local.get $ap)))
            (local.set $x1 (v128.load64_splat (i32.add (local.get $ap) (local.get $ra))))
            (local.set $x2 (v128.load64_splat
              (i32.add (local.get $ap) (i32.shl (local.get $ra) (i32.const 1)))))
            (local.set $x3 (v128.load64_splat
              (i32.add (local.get $ap) (i32.mul (local.get $ra) (i32.const 3)))))
            (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x0) (local.get $b0))))
            (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $x0) (local.get $b1))))
            (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $x1) (local.get $b0))))
            (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $x1) (local.get $b1))))
            (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $x2) (local.get $b0))))
            (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $x2) (local.get $b1))))
            (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $x3) (local.get $b0))))
            (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $x3) (local.get $b1))))
            (local.set $ap (i32.add (local.get $ap) (i32.const 8)))
            (local.set $bp (i32.add (local.get $bp) (local.get $rb)))
            (br_if $inner (local.tee $p (i32.sub (local.get $p) (i32.const 1))))))
        (local.set $cp (i32.add (local.get $c)
          (i32.add (i32.mul (local.get $i) (local.get $rb)) (i32.shl (local.get $j) (i32.const 3)))))
        (v128.store (local.get $cp) (local.get $c00))
        (v128.store offset=16 (local.get $cp) (local.get $c01))
        (local.set $cp (i32.add (local.get $cp) (local.get $rb)))
        (v128.store (local.get $cp) (local.get $c10))
        (v128.store offset=16 (local.get $cp) (local.get $c11))
        (local.set $cp (i32.add (local.get $cp) (local.get $rb)))
        (v128.store (local.get $cp) (local.get $c20))
        (v128.store offset=16 (local.get $cp) (local.get $c21))
        (local.set $cp (i32.add (local.get $cp) (local.get $rb)))
        (v128.store (local.get $cp) (local.get $c30))
        (v128.store offset=16 (local.get $cp) (local.get $c31))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $cols4)))
      ;; columns left over in these four rows
      (block $colsr_end (loop $colsr
        (br_if $colsr_end (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $r (i32.const 0))
        (loop $rr
          (f64.store
            (i32.add (local.get $c) (i32.add
              (i32.mul (i32.add (local.get $i) (local.get $r)) (local.get $rb))
              (i32.shl (local.get $j) (i32.const 3))))
            (call $dot
              (i32.add (local.get $a) (i32.mul (i32.add (local.get $i) (local.get $r)) (local.get $ra)))
              (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3)))
              (local.get $k) (local.get $rb)))
          (br_if $rr (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 4))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $colsr)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $rows4)))
    ;; rows left over, one at a time: blocks of 4 columns in two f64x2 registers, then $dot
    (block $rowsr_end (loop $rowsr
      (br_if $rowsr_end (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $j (i32.const 0))
      (block $r4_end (loop $r4
        (br_if $r4_end (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (local.set $c00 (v128.const i64x2 0 0)) (local.set $c01 (v128.const i64x2 0 0))
        (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ra))))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $p (local.get $k))
        (block $r4i_end
          (br_if $r4i_end (i32.eqz (local.get $p)))
          (loop $r4i
            (local.set $x0 (v128.load64_splat (local.get $ap)))
            (local.set $c00 (f64x2.add (local.get $c00)
              (f64x2.mul (local.get $x0) (v128.load (local.get $bp)))))
            (local.set $c01 (f64x2.add (local.get $c01)
              (f64x2.mul (local.get $x0) (v128.load offset=16 (local.get $bp)))))
            (local.set $ap (i32.add (local.get $ap) (i32.const 8)))
            (local.set $bp (i32.add (local.get $bp) (local.get $rb)))
            (br_if $r4i (local.tee $p (i32.sub (local.get $p) (i32.const 1))))))
        (local.set $cp (i32.add (local.get $c)
          (i32.add (i32.mul (local.get $i) (local.get $rb)) (i32.shl (local.get $j) (i32.const 3)))))
        (v128.store (local.get $cp) (local.get $c00))
        (v128.store offset=16 (local.get $cp) (local.get $c01))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $r4)))
      (block $c_end (loop $c
        (br_if $c_end (i32.ge_u (local.get $j) (local.get $n)))
        (f64.store
          (i32.add (local.get $c)
            (i32.add (i32.mul (local.get $i) (local.get $rb)) (i32.shl (local.get $j) (i32.const 3))))
          (call $dot
            (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ra)))
            (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3)))
            (local.get $k) (local.get $rb)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $c)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rowsr))))

  ;; Lists the nonzero entries of a[m, k] row after row: their values at vals (f64), the byte
  ;; offsets p·rb of the matching rows of b at offs (i32), and after each row i the running count
  ;; at ends[i] (i32). Groups of four entries whose bits are all zero are skipped with one test; the
  ;; others are appended branch-free. Returns the number of nonzeros.
  (func (export "nonzero_lists") (param $a i32) (param $m i32) (param $k i32) (param $rb i32)
    (param $vals i32) (param $offs i32) (param $ends i32) (result i32)
    (local $i i32) (local $p i32) (local $q i32) (local $cnt i32) (local $off i32) (local $v f64)
    (block $rows_end (loop $rows
      (br_if $rows_end (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $p (i32.const 0))
      (local.set $off (i32.const 0))
      (block $list_end (loop $list
        (br_if $list_end (i32.ge_u (local.get $p) (local.get $k)))
        (if (i32.or
              (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $k))
              (v128.any_true (v128.or (v128.load (local.get $a)) (v128.load offset=16 (local.get $a)))))
          (then
            (local.set $q (select (i32.sub (local.get $k) (local.get $p)) (i32.const 4)
              (i32.lt_u (i32.sub (local.get $k) (local.get $p)) (i32.const 4))))
            (loop $four
              (local.set $v (f64.load (local.get $a)))
              (f64.store (i32.add (local.get $vals) (i32.shl (local.get $cnt) (i32.const 3)))
                (local.get $v))
              (i32.store (i32.add (local.get $offs) (i32.shl (local.get $cnt) (i32.const 2)))
                (local.get $off))
              (local.set $cnt (i32.add (local.get $cnt) (f64.ne (local.get $v) (f64.const 0))))
              (local.set $a (i32.add (local.get $a) (i32.const 8)))
              (local.set $off (i32.add (local.get $off) (local.get $rb)))
              (br_if $four (local.tee $q (i32.sub (local.get $q) (i32.const 1))))))
          (else
            (local.set $a (i32.add (local.get $a) (i32.const 32)))
            (local.set $off (i32.add (local.get $off) (i32.shl (local.get $rb) (i32.const 2))))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $list)))
      (i32.store (i32.add (local.get $ends) (i32.shl (local.get $i) (i32.const 2))) (local.get $cnt))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows)))
    (local.get $cnt))

  ;; c[m, n] = a[m, k] · b[k, n] from the nonzero lists of a ($nonzero_lists, made with
  ;; rb = 8n): for each row, blocks of 16 columns of c are summed over the row's list in eight
  ;; f64x2 registers, then 8, pairs and a single column. A skipped product 0·b[p, j] is ±0 only
  ;; when b[p, j] is finite: the caller uses this kernel only when every entry of b is finite.
  (func (export "gemm_lists") (param $vals i32) (param $offs i32) (param $ends i32)
    (param $b i32) (param $c i32) (param $m i32) (param $n i32)
    (local $i i32) (local $j i32) (local $q i32) (local $cnt i32) (local $start i32)
    (local $cp i32) (local $vp i32) (local $ip i32) (local $bp i32) (local $v0 i32) (local $i0 i32)
    (local $x v128) (local $sum f64)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128)
    (local.set $cp (local.get $c))
    (block $rows_end (loop $rows
      (br_if $rows_end (i32.ge_u (local.get $i) (local.get $m)))
      ;; this row's segment of the lists
      (local.set $v0 (i32.add (local.get $vals) (i32.shl (local.get $start) (i32.const 3))))
      (local.set $i0 (i32.add (local.get $offs) (i32.shl (local.get $start) (i32.const 2))))
      (local.set $cnt (i32.sub
        (i32.load (i32.add (local.get $ends) (i32.shl (local.get $i) (i32.const 2))))
        (local.get $start)))
      (local.set $start (i32.add (local.get $start) (local.get $cnt)))
      (local.set $j (i32.const 0))
      ;; blocks of 16 columns: eight independent sums hide the latency of the adds
      (block $c16_end (loop $c16
        (br_if $c16_end (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $n)))
        (local.set $c0 (v128.const i64x2 0 0)) (local.set $c1 (v128.const i64x2 0 0))
        (local.set $c2 (v128.const i64x2 0 0)) (local.set $c3 (v128.const i64x2 0 0))
        (local.set $c4 (v128.const i64x2 0 0)) (local.set $c5 (v128.const i64x2 0 0))
        (local.set $c6 (v128.const i64x2 0 0)) (local.set $c7 (v128.const i64x2 0 0))
        (local.set $vp (local.get $v0))
        (local.set $ip (local.get $i0))
        (local.set $q (local.get $cnt))
        (block $q16_end
          (br_if $q16_end (i32.eqz (local.get $q)))
          (loop $q16
            (local.set $x (v128.load64_splat (local.get $vp)))
            (local.set $bp (i32.add (i32.add (local.get $b) (i32.load (local.get $ip))) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (local.get $x) (v128.load (local.get $bp)))))
            (local.set $c1 (f64x2.add (local.get $c1)
              (f64x2.mul (local.get $x) (v128.load offset=16 (local.get $bp)))))
            (local.set $c2 (f64x2.add (local.get $c2)
              (f64x2.mul (local.get $x) (v128.load offset=32 (local.get $bp)))))
            (local.set $c3 (f64x2.add (local.get $c3)
              (f64x2.mul (local.get $x) (v128.load offset=48 (local.get $bp)))))
            (local.set $c4 (f64x2.add (local.get $c4)
              (f64x2.mul (local.get $x) (v128.load offset=64 (local.get $bp)))))
            (local.set $c5 (f64x2.add (local.get $c5)
              (f64x2.mul (local.get $x) (v128.load offset=80 (local.get $bp)))))
            (local.set $c6 (f64x2.add (local.get $c6)
              (f64x2.mul (local.get $x) (v128.load offset=96 (local.get $bp)))))
            (local.set $c7 (f64x2.add (local.get $c7)
              (f64x2.mul (local.get $x) (v128.load offset=112 (local.get $bp)))))
            (local.set $vp (i32.add (local.get $vp) (i32.const 8)))
            (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
            (br_if $q16 (local.tee $q (i32.sub (local.get $q) (i32.const 1))))))
        (v128.store (local.get $cp) (local.get $c0))
        (v128.store offset=16 (local.get $cp) (local.get $c1))
        (v128.store offset=32 (local.get $cp) (local.get $c2))
        (v128.store offset=48 (local.get $cp) (local.get $c3))
        (v128.store offset=64 (local.get $cp) (local.get $c4))
        (v128.store offset=80 (local.get $cp) (local.get $c5))
        (v128.store offset=96 (local.get $cp) (local.get $c6))
        (v128.store offset=112 (local.get $cp) (local.get $c7))
        (local.set $cp (i32.add (local.get $cp) (i32.const 128)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $c16)))
      ;; a block of 8 columns
      (block $c8_end (loop $c8
        (br_if $c8_end (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
        (local.set $c0 (v128.const i64x2 0 0)) (local.set $c1 (v128.const i64x2 0 0))
        (local.set $c2 (v128.const i64x2 0 0)) (local.set $c3 (v128.const i64x2 0 0))
        (local.set $vp (local.get $v0))
        (local.set $ip (local.get $i0))
        (local.set $q (local.get $cnt))
        (block $q8_end
          (br_if $q8_end (i32.eqz (local.get $q)))
          (loop $q8
            (local.set $x (v128.load64_splat (local.get $vp)))
            (local.set $bp (i32.add (i32.add (local.get $b) (i32.load (local.get $ip))) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (local.get $x) (v128.load (local.get $bp)))))
            (local.set $c1 (f64x2.add (local.get $c1)
              (f64x2.mul (local.get $x) (v128.load offset=16 (local.get $bp)))))
            (local.set $c2 (f64x2.add (local.get $c2)
              (f64x2.mul (local.get $x) (v128.load offset=32 (local.get $bp)))))
            (local.set $c3 (f64x2.add (local.get $c3)
              (f64x2.mul (local.get $x) (v128.load offset=48 (local.get $bp)))))
            (local.set $vp (i32.add (local.get $vp) (i32.const 8)))
            (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
            (br_if $q8 (local.tee $q (i32.sub (local.get $q) (i32.const 1))))))
        (v128.store (local.get $cp) (local.get $c0))
        (v128.store offset=16 (local.get $cp) (local.get $c1))
        (v128.store offset=32 (local.get $cp) (local.get $c2))
        (v128.store offset=48 (local.get $cp) (local.get $c3))
        (local.set $cp (i32.add (local.get $cp) (i32.const 64)))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $c8)))
      ;; pairs of columns
      (block $c2_end (loop $c2l
        (br_if $c2_end (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $n)))
        (local.set $c0 (v128.const i64x2 0 0))
        (local.set $vp (local.get $v0))
        (local.set $ip (local.get $i0))
        (local.set $q (local.get $cnt))
        (block $q2_end
          (br_if $q2_end (i32.eqz (local.get $q)))
          (loop $q2
            (local.set $c0 (f64x2.add (local.get $c0)
              (f64x2.mul (v128.load64_splat (local.get $vp))
                (v128.load (i32.add (i32.add (local.get $b) (i32.load (local.get $ip))) (i32.shl (local.get $j) (i32.const 3)))))))
            (local.set $vp (i32.add (local.get $vp) (i32.const 8)))
            (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
            (br_if $q2 (local.tee $q (i32.sub (local.get $q) (i32.const 1))))))
        (v128.store (local.get $cp) (local.get $c0))
        (local.set $cp (i32.add (local.get $cp) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $c2l)))
      ;; a last single column
      (if (i32.lt_u (local.get $j) (local.get $n))
        (then
          (local.set $sum (f64.const 0))
          (local.set $vp (local.get $v0))
          (local.set $ip (local.get $i0))
          (local.set $q (local.get $cnt))
          (block $q1_end
            (br_if $q1_end (i32.eqz (local.get $q)))
            (loop $q1
              (local.set $sum (f64.add (local.get $sum)
                (f64.mul (f64.load (local.get $vp))
                  (f64.load (i32.add (i32.add (local.get $b) (i32.load (local.get $ip))) (i32.shl (local.get $j) (i32.const 3)))))))
              (local.set $vp (i32.add (local.get $vp) (i32.const 8)))
              (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
              (br_if $q1 (local.tee $q (i32.sub (local.get $q) (i32.const 1))))))
          (f64.store (local.get $cp) (local.get $sum))
          (local.set $cp (i32.add (local.get $cp) (i32.const 8)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows))))

  ;; 1 when the len f64 at x and at y are the same bits, else 0.
  (func (export "same") (param $x i32) (param $y i32) (param $len i32) (result i32)
    (local $end i32) (local $diff v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $len) (i32.const 3))))
    (block $pairs_end (loop $pairs
      (br_if $pairs_end (i32.gt_u (i32.add (local.get $x) (i32.const 16)) (local.get $end)))
      (local.set $diff (v128.or (local.get $diff)
        (v128.xor (v128.load (local.get $x)) (v128.load (local.get $y)))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (br $pairs)))
    (if (i32.lt_u (local.get $x) (local.get $end))
      (then (local.set $diff (v128.or (local.get $diff)
        (i64x2.splat (i64.xor (i64.load (local.get $x)) (i64.load (local.get $y))))))))
    (i32.eqz (v128.any_true (local.get $diff))))

  ;; Number of nonzero entries among len f64 at a: f64x2.ne gives all-ones lanes (−1) for them.
  (func (export "nonzeros") (param $a i32) (param $len i32) (result i32)
    (local $end i32) (local $acc0 v128) (local $acc1 v128) (local $cnt i32)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $len) (i32.const 3))))
    (block $quads_end (loop $quads
      (br_if $quads_end (i32.gt_u (i32.add (local.get $a) (i32.const 32)) (local.get $end)))
      (local.set $acc0 (i64x2.sub (local.get $acc0)
        (f64x2.ne (v128.load (local.get $a)) (v128.const i64x2 0 0))))
      (local.set $acc1 (i64x2.sub (local.get $acc1)
        (f64x2.ne (v128.load offset=16 (local.get $a)) (v128.const i64x2 0 0))))
      (local.set $a (i32.add (local.get $a) (i32.const 32)))
      (br $quads)))
    (local.set $acc0 (i64x2.add (local.get $acc0) (local.get $acc1)))
    (local.set $cnt (i32.wrap_i64 (i64.add
      (i64x2.extract_lane 0 (local.get $acc0)) (i64x2.extract_lane 1 (local.get $acc0)))))
    (block $rest_end (loop $rest
      (br_if $rest_end (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $cnt (i32.add (local.get $cnt) (f64.ne (f64.load (local.get $a)) (f64.const 0))))
      (local.set $a (i32.add (local.get $a) (i32.const 8)))
      (br $rest)))
    (local.get $cnt))

  ;; 1 when all len f64 at a are finite, else 0: x·0 is 0 for finite x and NaN for ±Inf and NaN.
  (func (export "finite") (param $a i32) (param $len i32) (result i32)
    (local $end i32) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $zero v128)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $len) (i32.const 3))))
    (block $eights_end (loop $eights
      (br_if $eights_end (i32.gt_u (i32.add (local.get $a) (i32.const 64)) (local.get $end)))
      (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load (local.get $a)) (local.get $zero))))
      (local.set $s1 (f64x2.add (local.get $s1)
        (f64x2.mul (v128.load offset=16 (local.get $a)) (local.get $zero))))
      (local.set $s2 (f64x2.add (local.get $s2)
        (f64x2.mul (v128.load offset=32 (local.get $a)) (local.get $zero))))
      (local.set $s3 (f64x2.add (local.get $s3)
        (f64x2.mul (v128.load offset=48 (local.get $a)) (local.get $zero))))
      (local.set $a (i32.add (local.get $a) (i32.const 64)))
      (br $eights)))
    (block $rest_end (loop $rest
      (br_if $rest_end (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $s0 (f64x2.add (local.get $s0)
        (f64x2.mul (v128.load64_splat (local.get $a)) (local.get $zero))))
      (local.set $a (i32.add (local.get $a) (i32.const 8)))
      (br $rest)))
    (local.set $s0 (f64x2.add (f64x2.add (local.get $s0) (local.get $s1))
      (f64x2.add (local.get $s2) (local.get $s3))))
    (i32.and
      (f64.eq (f64x2.extract_lane 0 (local.get $s0)) (f64.const 0))
      (f64.eq (f64x2.extract_lane 1 (local.get $s0)) (f64.const 0))))

  ;; dst[cols, rows] = src[rows, cols]ᵀ, in 8 × 8 tiles so that reads and writes stay in cache.
  (func (export "transpose") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $i0 i32) (local $j0 i32) (local $i i32) (local $j i32) (local $i1 i32) (local $j1 i32)
    (block $ti_end (loop $ti
      (br_if $ti_end (i32.ge_u (local.get $i0) (local.get $rows)))
      (local.set $i1 (select (local.get $rows) (i32.add (local.get $i0) (i32.const 8))
        (i32.lt_u (local.get $rows) (i32.add (local.get $i0) (i32.const 8)))))
      (local.set $j0 (i32.const 0))
      (block $tj_end (loop $tj
        (br_if $tj_end (i32.ge_u (local.get $j0) (local.get $cols)))
        (local.set $j1 (select (local.get $cols) (i32.add (local.get $j0) (i32.const 8))
          (i32.lt_u (local.get $cols) (i32.add (local.get $j0) (i32.const 8)))))
        (local.set $i (local.get $i0))
        (loop $ii
          (local.set $j (local.get $j0))
          (loop $jj
            (f64.store
              (i32.add (local.get $dst)
                (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 3)))
              (f64.load (i32.add (local.get $src)
                (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 3)))))
            (br_if $jj (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $j1))))
          (br_if $ii (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $i1))))
        (local.set $j0 (local.get $j1))
        (br $tj)))
      (local.set $i0 (local.get $i1))
      (br $ti))))
)
