;; Inner loops of the approximate k-nearest-neighbour search (lib/tsne/knn_approx.ts), in
;; WebAssembly with 128-bit SIMD over one shared memory, so that Web Workers can run disjoint rows
;; at once.
;;
;; Layout (byte offsets, set once per instance by $init): the points a [N, D] f64 and a copy a32
;; in f32, which the search compares (four lanes, half the bytes of a row to fetch); the neighbour
;; heaps, row i at element offsets i·k..(i+1)·k of dist (f64), ids (i32) and fresh (u8: 0 old,
;; 1 new, 2 inserted in this round); the sampled lists of a round, row v at v·m..v·m+size[v] of
;; new_ids/old_ids (i32) with sizes new_size/old_size (i32); and this instance's stamp [N] (i32).
;;
;; Every function writes only the heap rows it is given, and a row's content after a call is the
;; k smallest (distance, index) pairs of what it held and what it was offered, in any order of the
;; offers: calls on disjoint rows may run in parallel and give the same result as in sequence.
;;
;; Rebuild lib/tsne/knn_approx_wasm.ts after editing: `deno task build:wasm` (wat2wasm from
;; Debian's wabt package, with --enable-threads for the shared memory).
(module
  (import "env" "memory" (memory 1 65536 shared))

  (global $a (mut i32) (i32.const 0))
  (global $row (mut i32) (i32.const 0))
  (global $a32 (mut i32) (i32.const 0))
  (global $row32 (mut i32) (i32.const 0))
  (global $d (mut i32) (i32.const 0))
  (global $k (mut i32) (i32.const 0))
  (global $dist (mut i32) (i32.const 0))
  (global $ids (mut i32) (i32.const 0))
  (global $fresh (mut i32) (i32.const 0))
  (global $m (mut i32) (i32.const 0))
  (global $new_ids (mut i32) (i32.const 0))
  (global $new_size (mut i32) (i32.const 0))
  (global $old_ids (mut i32) (i32.const 0))
  (global $old_size (mut i32) (i32.const 0))
  (global $stamp (mut i32) (i32.const 0))
  ;; Distance evaluations since $init (a cost measure; it depends on the split into calls).
  (global $evals (mut f64) (f64.const 0))

  (func (export "init") (param $a i32) (param $a32 i32) (param $d i32) (param $k i32)
    (param $dist i32) (param $ids i32) (param $fresh i32) (param $m i32) (param $new_ids i32)
    (param $new_size i32) (param $old_ids i32) (param $old_size i32) (param $stamp i32)
    (global.set $a (local.get $a))
    (global.set $a32 (local.get $a32))
    (global.set $d (local.get $d))
    (global.set $row (i32.shl (local.get $d) (i32.const 3)))
    (global.set $row32 (i32.shl (local.get $d) (i32.const 2)))
    (global.set $k (local.get $k))
    (global.set $dist (local.get $dist))
    (global.set $ids (local.get $ids))
    (global.set $fresh (local.get $fresh))
    (global.set $m (local.get $m))
    (global.set $new_ids (local.get $new_ids))
    (global.set $new_size (local.get $new_size))
    (global.set $old_ids (local.get $old_ids))
    (global.set $old_size (local.get $old_size))
    (global.set $stamp (local.get $stamp))
    (global.set $evals (f64.const 0)))

  (func (export "evaluations") (result f64) (global.get $evals))

  ;; Σ_t (p[t] − q[t])² over the D coordinates of the f32 rows at byte offsets p and q, summed
  ;; in f32 in a fixed order (four lanes, two accumulators); returns the partial sum as soon as it
  ;; exceeds bound after a block of 16 coordinates.
  (func $distance (param $p i32) (param $q i32) (param $bound f64) (result f64)
    (local $acc0 v128) (local $acc1 v128) (local $u v128) (local $n i32) (local $s f32)
    (local.set $n (i32.shr_u (global.get $d) (i32.const 4)))
    (block $blocks_end
      (loop $blocks
        (br_if $blocks_end (i32.eqz (local.get $n)))
        (local.set $u (f32x4.sub (v128.load (local.get $p)) (v128.load (local.get $q))))
        (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $u) (local.get $u))))
        (local.set $u (f32x4.sub (v128.load offset=16 (local.get $p))
          (v128.load offset=16 (local.get $q))))
        (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $u) (local.get $u))))
        (local.set $u (f32x4.sub (v128.load offset=32 (local.get $p))
          (v128.load offset=32 (local.get $q))))
        (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $u) (local.get $u))))
        (local.set $u (f32x4.sub (v128.load offset=48 (local.get $p))
          (v128.load offset=48 (local.get $q))))
        (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $u) (local.get $u))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (local.set $q (i32.add (local.get $q) (i32.const 64)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (local.set $s (call $lanes (f32x4.add (local.get $acc0) (local.get $acc1))))
        (br_if $blocks (f64.le (f64.promote_f32 (local.get $s)) (local.get $bound)))
        (return (f64.promote_f32 (local.get $s)))))
    ;; Remaining groups of four coordinates, then the last D mod 4 one at a time.
    (local.set $n (i32.shr_u (i32.and (global.get $d) (i32.const 15)) (i32.const 2)))
    (block $quads_end
      (loop $quads
        (br_if $quads_end (i32.eqz (local.get $n)))
        (local.set $u (f32x4.sub (v128.load (local.get $p)) (v128.load (local.get $q))))
        (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $u) (local.get $u))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $quads)))
    (local.set $s (call $lanes (f32x4.add (local.get $acc0) (local.get $acc1))))
    (local.set $n (i32.and (global.get $d) (i32.const 3)))
    (block $rest_end
      (loop $rest
        (br_if $rest_end (i32.eqz (local.get $n)))
        (local.set $s (f32.add (local.get $s)
          (f32.mul (f32.sub (f32.load (local.get $p)) (f32.load (local.get $q)))
            (f32.sub (f32.load (local.get $p)) (f32.load (local.get $q))))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $rest)))
    (f64.promote_f32 (local.get $s)))

  ;; The sum of the four lanes, (l0 + l1) + (l2 + l3).
  (func $lanes (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; Puts (j, s) in place of the worst entry of the heap row at element offset base and sifts it
  ;; down within its first `end` entries (larger distance, then larger index, nearer the root);
  ;; the entry is marked inserted.
  (func $replace_top (param $base i32) (param $end i32) (param $j i32) (param $s f64)
    (local $e i32) (local $c i32) (local $r i32) (local $dc f64) (local $dr f64)
    (local $pd i32) (local $pi i32)
    (local.set $pd (i32.add (global.get $dist) (i32.shl (local.get $base) (i32.const 3))))
    (local.set $pi (i32.add (global.get $ids) (i32.shl (local.get $base) (i32.const 2))))
    (block $done
      (loop $sift
        (local.set $c (i32.add (i32.shl (local.get $e) (i32.const 1)) (i32.const 1)))
        (br_if $done (i32.ge_u (local.get $c) (local.get $end)))
        (local.set $dc (f64.load (i32.add (local.get $pd) (i32.shl (local.get $c) (i32.const 3)))))
        (local.set $r (i32.add (local.get $c) (i32.const 1)))
        (if (i32.lt_u (local.get $r) (local.get $end))
          (then
            (local.set $dr
              (f64.load (i32.add (local.get $pd) (i32.shl (local.get $r) (i32.const 3)))))
            (if (i32.or (f64.gt (local.get $dr) (local.get $dc))
                (i32.and (f64.eq (local.get $dr) (local.get $dc))
                  (i32.gt_s
                    (i32.load (i32.add (local.get $pi) (i32.shl (local.get $r) (i32.const 2))))
                    (i32.load (i32.add (local.get $pi) (i32.shl (local.get $c) (i32.const 2)))))))
              (then (local.set $c (local.get $r)) (local.set $dc (local.get $dr))))))
        (br_if $done (f64.lt (local.get $dc) (local.get $s)))
        (br_if $done (i32.and (f64.eq (local.get $dc) (local.get $s))
          (i32.lt_s (i32.load (i32.add (local.get $pi) (i32.shl (local.get $c) (i32.const 2))))
            (local.get $j))))
        (f64.store (i32.add (local.get $pd) (i32.shl (local.get $e) (i32.const 3)))
          (local.get $dc))
        (i32.store (i32.add (local.get $pi) (i32.shl (local.get $e) (i32.const 2)))
          (i32.load (i32.add (local.get $pi) (i32.shl (local.get $c) (i32.const 2)))))
        (i32.store8 (i32.add (global.get $fresh) (i32.add (local.get $base) (local.get $e)))
          (i32.load8_u (i32.add (global.get $fresh) (i32.add (local.get $base) (local.get $c)))))
        (local.set $e (local.get $c))
        (br $sift)))
    (f64.store (i32.add (local.get $pd) (i32.shl (local.get $e) (i32.const 3))) (local.get $s))
    (i32.store (i32.add (local.get $pi) (i32.shl (local.get $e) (i32.const 2))) (local.get $j))
    (i32.store8 (i32.add (global.get $fresh) (i32.add (local.get $base) (local.get $e)))
      (i32.const 2)))

  ;; Offers j to row i unless the stamp shows that i has seen j already (in its heap, or offered
  ;; before and then worse than the heap's worst entry, which only gets better).
  (func $visit (param $i i32) (param $j i32)
    (local $sp i32) (local $base i32) (local $top f64) (local $s f64)
    (local.set $sp (i32.add (global.get $stamp) (i32.shl (local.get $j) (i32.const 2))))
    (if (i32.eq (i32.load (local.get $sp)) (local.get $i)) (then (return)))
    (i32.store (local.get $sp) (local.get $i))
    (local.set $base (i32.mul (local.get $i) (global.get $k)))
    (local.set $top (f64.load (i32.add (global.get $dist) (i32.shl (local.get $base) (i32.const 3)))))
    (global.set $evals (f64.add (global.get $evals) (f64.const 1)))
    (local.set $s (call $distance
      (i32.add (global.get $a32) (i32.mul (local.get $i) (global.get $row32)))
      (i32.add (global.get $a32) (i32.mul (local.get $j) (global.get $row32)))
      (local.get $top)))
    (if (i32.or (f64.lt (local.get $s) (local.get $top))
        (i32.and (f64.eq (local.get $s) (local.get $top))
          (i32.lt_s (local.get $j)
            (i32.load (i32.add (global.get $ids) (i32.shl (local.get $base) (i32.const 2)))))))
      (then (call $replace_top (local.get $base) (global.get $k) (local.get $j) (local.get $s)))))

  ;; Stamps row i's heap entries and i itself as seen by i.
  (func $stamp_row (param $i i32)
    (local $p i32) (local $end i32) (local $j i32)
    (local.set $p (i32.add (global.get $ids)
      (i32.shl (i32.mul (local.get $i) (global.get $k)) (i32.const 2))))
    (local.set $end (i32.add (local.get $p) (i32.shl (global.get $k) (i32.const 2))))
    (block $done
      (loop $entries
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $j (i32.load (local.get $p)))
        (if (i32.ge_s (local.get $j) (i32.const 0))
          (then (i32.store (i32.add (global.get $stamp) (i32.shl (local.get $j) (i32.const 2)))
            (local.get $i))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $entries)))
    (i32.store (i32.add (global.get $stamp) (i32.shl (local.get $i) (i32.const 2))) (local.get $i)))

  ;; Offers every member of the list at byte offset p (count n) to row i.
  (func $visit_list (param $i i32) (param $p i32) (param $n i32)
    (block $done
      (loop $members
        (br_if $done (i32.eqz (local.get $n)))
        (call $visit (local.get $i) (i32.load (local.get $p)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $members))))

  ;; Leaf join: for each point of order[lo..hi) (i32 array at byte offset order), the other
  ;; points of the same range; writes the rows of those points only.
  (func (export "leaf_join") (param $order i32) (param $lo i32) (param $hi i32)
    (local $p i32) (local $i i32) (local $start i32) (local $n i32)
    (local.set $start (i32.add (local.get $order) (i32.shl (local.get $lo) (i32.const 2))))
    (local.set $n (i32.sub (local.get $hi) (local.get $lo)))
    (local.set $p (local.get $lo))
    (block $done
      (loop $points
        (br_if $done (i32.ge_u (local.get $p) (local.get $hi)))
        (local.set $i (i32.load (i32.add (local.get $order) (i32.shl (local.get $p) (i32.const 2)))))
        (call $stamp_row (local.get $i))
        (call $visit_list (local.get $i) (local.get $start) (local.get $n))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $points))))

  ;; One NN-descent round for rows i0..i1: row i is offered each v of its new list, the new and
  ;; old members of v's lists, and the new members of the lists of each v of its old list.
  (func (export "descend") (param $i0 i32) (param $i1 i32)
    (local $i i32) (local $p i32) (local $pe i32) (local $v i32) (local $mb i32)
    (local.set $mb (i32.shl (global.get $m) (i32.const 2)))
    (local.set $i (local.get $i0))
    (block $rows_end
      (loop $rows
        (br_if $rows_end (i32.ge_u (local.get $i) (local.get $i1)))
        (call $stamp_row (local.get $i))
        (local.set $p (i32.add (global.get $new_ids) (i32.mul (local.get $i) (local.get $mb))))
        (local.set $pe (i32.add (local.get $p) (i32.shl
          (i32.load (i32.add (global.get $new_size) (i32.shl (local.get $i) (i32.const 2))))
          (i32.const 2))))
        (block $new_end
          (loop $new
            (br_if $new_end (i32.ge_u (local.get $p) (local.get $pe)))
            (local.set $v (i32.load (local.get $p)))
            (call $visit (local.get $i) (local.get $v))
            (call $visit_list (local.get $i)
              (i32.add (global.get $new_ids) (i32.mul (local.get $v) (local.get $mb)))
              (i32.load (i32.add (global.get $new_size) (i32.shl (local.get $v) (i32.const 2)))))
            (call $visit_list (local.get $i)
              (i32.add (global.get $old_ids) (i32.mul (local.get $v) (local.get $mb)))
              (i32.load (i32.add (global.get $old_size) (i32.shl (local.get $v) (i32.const 2)))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $new)))
        (local.set $p (i32.add (global.get $old_ids) (i32.mul (local.get $i) (local.get $mb))))
        (local.set $pe (i32.add (local.get $p) (i32.shl
          (i32.load (i32.add (global.get $old_size) (i32.shl (local.get $i) (i32.const 2))))
          (i32.const 2))))
        (block $old_end
          (loop $old
            (br_if $old_end (i32.ge_u (local.get $p) (local.get $pe)))
            (local.set $v (i32.load (local.get $p)))
            (call $visit_list (local.get $i)
              (i32.add (global.get $new_ids) (i32.mul (local.get $v) (local.get $mb)))
              (i32.load (i32.add (global.get $new_size) (i32.shl (local.get $v) (i32.const 2)))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $old)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))
;; Byte address of the point of entry t of the heap row whose ids start at byte address pi.
  (func $row_at (param $pi i32) (param $t i32) (result i32)
    (i32.add (global.get $a) (i32.mul
      (i32.load (i32.add (local.get $pi) (i32.shl (local.get $t) (i32.const 2))))
      (global.get $row))))

  ;; The end of a search, for rows i0..i1: each heap row sorted ascending by (distance, index) (heap
  ;; sort), then each distance replaced by Σ_t (a_i[t] − a_j[t])² summed in coordinate order, as
  ;; squaredDistance (affinity.ts) computes it, bit for bit.
  (func (export "finish") (param $i0 i32) (param $i1 i32)
    (local $i i32) (local $base i32) (local $end i32) (local $pd i32) (local $pi i32)
    (local $s f64) (local $j i32) (local $t i32) (local $p i32) (local $c i32) (local $u f64)
    (local $x f64) (local $q0 i32) (local $q1 i32) (local $q2 i32) (local $q3 i32) (local $s0 f64)
    (local $s1 f64) (local $s2 f64) (local $s3 f64)
    (local.set $i (local.get $i0))
    (block $rows_end
      (loop $rows
        (br_if $rows_end (i32.ge_u (local.get $i) (local.get $i1)))
        (local.set $base (i32.mul (local.get $i) (global.get $k)))
        (local.set $pd (i32.add (global.get $dist) (i32.shl (local.get $base) (i32.const 3))))
        (local.set $pi (i32.add (global.get $ids) (i32.shl (local.get $base) (i32.const 2))))
        ;; Heap sort: the largest entry goes to the end, the last one sifts down from the root.
        (local.set $end (i32.sub (global.get $k) (i32.const 1)))
        (block $sorted
          (loop $sort
            (br_if $sorted (i32.eqz (local.get $end)))
            (local.set $s (f64.load (i32.add (local.get $pd) (i32.shl (local.get $end) (i32.const 3)))))
            (local.set $j (i32.load (i32.add (local.get $pi) (i32.shl (local.get $end) (i32.const 2)))))
            (f64.store (i32.add (local.get $pd) (i32.shl (local.get $end) (i32.const 3)))
              (f64.load (local.get $pd)))
            (i32.store (i32.add (local.get $pi) (i32.shl (local.get $end) (i32.const 2)))
              (i32.load (local.get $pi)))
            (call $replace_top (local.get $base) (local.get $end) (local.get $j) (local.get $s))
            (local.set $end (i32.sub (local.get $end) (i32.const 1)))
            (br $sort)))
        ;; Four distances at a time: four independent sums, each in coordinate order.
        (local.set $p (i32.add (global.get $a) (i32.mul (local.get $i) (global.get $row))))
        (local.set $t (i32.const 0))
        (block $quads_end
          (loop $quads
            (br_if $quads_end (i32.gt_u (i32.add (local.get $t) (i32.const 4)) (global.get $k)))
            (local.set $q0 (call $row_at (local.get $pi) (local.get $t)))
            (local.set $q1 (call $row_at (local.get $pi) (i32.add (local.get $t) (i32.const 1))))
            (local.set $q2 (call $row_at (local.get $pi) (i32.add (local.get $t) (i32.const 2))))
            (local.set $q3 (call $row_at (local.get $pi) (i32.add (local.get $t) (i32.const 3))))
            (local.set $s0 (f64.const 0))
            (local.set $s1 (f64.const 0))
            (local.set $s2 (f64.const 0))
            (local.set $s3 (f64.const 0))
            (local.set $c (i32.const 0))
            (block $coords_end
              (loop $coords
                (br_if $coords_end (i32.ge_u (local.get $c) (global.get $row)))
                (local.set $x (f64.load (i32.add (local.get $p) (local.get $c))))
                (local.set $u (f64.sub (local.get $x) (f64.load (i32.add (local.get $q0) (local.get $c)))))
                (local.set $s0 (f64.add (local.get $s0) (f64.mul (local.get $u) (local.get $u))))
                (local.set $u (f64.sub (local.get $x) (f64.load (i32.add (local.get $q1) (local.get $c)))))
                (local.set $s1 (f64.add (local.get $s1) (f64.mul (local.get $u) (local.get $u))))
                (local.set $u (f64.sub (local.get $x) (f64.load (i32.add (local.get $q2) (local.get $c)))))
                (local.set $s2 (f64.add (local.get $s2) (f64.mul (local.get $u) (local.get $u))))
                (local.set $u (f64.sub (local.get $x) (f64.load (i32.add (local.get $q3) (local.get $c)))))
                (local.set $s3 (f64.add (local.get $s3) (f64.mul (local.get $u) (local.get $u))))
                (local.set $c (i32.add (local.get $c) (i32.const 8)))
                (br $coords)))
            (f64.store (i32.add (local.get $pd) (i32.shl (local.get $t) (i32.const 3))) (local.get $s0))
            (f64.store offset=8 (i32.add (local.get $pd) (i32.shl (local.get $t) (i32.const 3)))
              (local.get $s1))
            (f64.store offset=16 (i32.add (local.get $pd) (i32.shl (local.get $t) (i32.const 3)))
              (local.get $s2))
            (f64.store offset=24 (i32.add (local.get $pd) (i32.shl (local.get $t) (i32.const 3)))
              (local.get $s3))
            (local.set $t (i32.add (local.get $t) (i32.const 4)))
            (br $quads)))
        ;; The last k mod 4, one at a time.
        (block $rest_end
          (loop $rest
            (br_if $rest_end (i32.ge_u (local.get $t) (global.get $k)))
            (local.set $q0 (call $row_at (local.get $pi) (local.get $t)))
            (local.set $s0 (f64.const 0))
            (local.set $c (i32.const 0))
            (block $coords1_end
              (loop $coords1
                (br_if $coords1_end (i32.ge_u (local.get $c) (global.get $row)))
                (local.set $u (f64.sub (f64.load (i32.add (local.get $p) (local.get $c)))
                  (f64.load (i32.add (local.get $q0) (local.get $c)))))
                (local.set $s0 (f64.add (local.get $s0) (f64.mul (local.get $u) (local.get $u))))
                (local.set $c (i32.add (local.get $c) (i32.const 8)))
                (br $coords1)))
            (f64.store (i32.add (local.get $pd) (i32.shl (local.get $t) (i32.const 3))) (local.get $s0))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $rest)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))
)
