// Modelled on kernel/bpf/ringbuf.c before the NMI fix. bpf_ringbuf_reserve() is callable
// from any BPF program, including perf_event programs that run in NMI context. The
// reservation takes rb->spinlock with spin_lock_irqsave(): that disables interrupts but not
// NMIs. If an NMI arrives on a CPU that is inside the critical section (a tracepoint program
// reserving from the same ring buffer) and the NMI's program reserves too, the NMI spins on a
// lock its own CPU holds: the CPU hangs.

#include <linux/bpf.h>
#include <linux/hardirq.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/completion.h>

struct bpf_ringbuf {
	wait_queue_head_t waitq;
	struct completion consumed;
	spinlock_t spinlock;
	u64 mask;
	unsigned long consumer_pos;
	unsigned long producer_pos;
	char data[];
};

struct bpf_ringbuf_hdr {
	u32 len;
	u32 pg_off;
};

/* Reached from both normal context (tracepoint/kprobe programs) and NMI (perf_event
 * programs): the same lock is taken in NMI and non-NMI context. */
static void *__bpf_ringbuf_reserve(struct bpf_ringbuf *rb, u64 size)
{
	unsigned long cons_pos, prod_pos, new_prod_pos, flags;
	struct bpf_ringbuf_hdr *hdr;
	u32 len, pg_off;

	len = round_up(size + BPF_RINGBUF_HDR_SZ, 8);
	if (len > rb->mask + 1)
		return NULL;

	cons_pos = smp_load_acquire(&rb->consumer_pos);

	spin_lock_irqsave(&rb->spinlock, flags); // expect: irq-unsafe (taken in NMI and in process context)

	prod_pos = rb->producer_pos;
	new_prod_pos = prod_pos + len;
	if (new_prod_pos - cons_pos > rb->mask) {
		spin_unlock_irqrestore(&rb->spinlock, flags);
		return NULL;
	}

	hdr = (void *)rb->data + (prod_pos & rb->mask);
	pg_off = bpf_ringbuf_rec_pg_off(rb, hdr);
	hdr->len = size | BPF_RINGBUF_BUSY_BIT;
	hdr->pg_off = pg_off;

	smp_store_release(&rb->producer_pos, new_prod_pos);
	spin_unlock_irqrestore(&rb->spinlock, flags);

	return (void *)hdr + BPF_RINGBUF_HDR_SZ;
}

/* The upstream fix: in NMI, only try the lock and fail the reservation on contention. */
static void *__bpf_ringbuf_reserve_nmi_safe(struct bpf_ringbuf *rb, u64 size)
{
	unsigned long cons_pos, prod_pos, new_prod_pos, flags;
	struct bpf_ringbuf_hdr *hdr;
	u32 len;

	len = round_up(size + BPF_RINGBUF_HDR_SZ, 8);
	if (len > rb->mask + 1)
		return NULL;

	cons_pos = smp_load_acquire(&rb->consumer_pos);

	if (in_nmi()) {
		if (!spin_trylock_irqsave(&rb->spinlock, flags))
			return NULL;
	} else {
		spin_lock_irqsave(&rb->spinlock, flags);
	}

	prod_pos = rb->producer_pos;
	new_prod_pos = prod_pos + len;
	if (new_prod_pos - cons_pos > rb->mask) {
		spin_unlock_irqrestore(&rb->spinlock, flags);
		return NULL;
	}

	hdr = (void *)rb->data + (prod_pos & rb->mask);
	hdr->len = size | BPF_RINGBUF_BUSY_BIT;
	smp_store_release(&rb->producer_pos, new_prod_pos);
	spin_unlock_irqrestore(&rb->spinlock, flags);

	return (void *)hdr + BPF_RINGBUF_HDR_SZ;
}

/* A variant today's checks can see: a "blocking" reserve for sleepable programs that waits
 * for the consumer to free space while still holding the ring buffer spinlock (and with
 * interrupts off). The consumer's wake-up path needs the same CPU to make progress. */
static void *bpf_ringbuf_reserve_wait(struct bpf_ringbuf *rb, u64 size)
{
	unsigned long cons_pos, prod_pos, flags;
	u32 len;

	len = round_up(size + BPF_RINGBUF_HDR_SZ, 8);
	if (len > rb->mask + 1)
		return NULL;

	spin_lock_irqsave(&rb->spinlock, flags);
	prod_pos = rb->producer_pos;
	cons_pos = smp_load_acquire(&rb->consumer_pos);
	while (prod_pos + len - cons_pos > rb->mask) {
		wait_for_completion(&rb->consumed); // expect: blocking-under-lock
		cons_pos = smp_load_acquire(&rb->consumer_pos);
	}
	smp_store_release(&rb->producer_pos, prod_pos + len);
	spin_unlock_irqrestore(&rb->spinlock, flags);

	return (void *)rb->data + (prod_pos & rb->mask) + BPF_RINGBUF_HDR_SZ;
}

/* BPF_CALL_3(bpf_ringbuf_reserve, struct bpf_map *, map, u64, size, u64, flags) */
u64 bpf_ringbuf_reserve(struct bpf_map *map, u64 size, u64 flags)
{
	struct bpf_ringbuf_map *rb_map;

	if (unlikely(flags))
		return 0;

	rb_map = (struct bpf_ringbuf_map *)map; /* container_of(map, struct bpf_ringbuf_map, map) */
	return (unsigned long)__bpf_ringbuf_reserve(rb_map->rb, size);
}
