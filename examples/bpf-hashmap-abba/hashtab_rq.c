// Modelled on the BPF hash map / scheduler tracepoint deadlocks in the Linux kernel.
//
// 1. A BPF program attached to the sched_switch tracepoint runs while the scheduler holds
//    rq->__lock, and updates a BPF hash map: rq->__lock -> bucket->raw_lock.
// 2. A hash map update frees the old element; the element's destructor wakes up the task
//    waiting on it, and try_to_wake_up() takes that task's rq->__lock while the bucket lock
//    is still held: bucket->raw_lock -> rq->__lock.
//
// Two CPUs doing (1) and (2) on the same bucket and runqueue deadlock (ABBA). The same shape
// appears when a program attached to contention_begin / queued_spin_lock_slowpath updates
// the map whose bucket lock is the one being contended.
// Both paths are inlined here so that each nesting is visible inside one function.

#include <linux/bpf.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/jhash.h>

struct rq {
	raw_spinlock_t __lock;
	unsigned int nr_running;
	struct task_struct *curr;
};

struct bucket {
	struct hlist_nulls_head head;
	raw_spinlock_t raw_lock;
};

struct htab_elem {
	struct hlist_nulls_node hash_node;
	u32 hash;
	struct task_struct *waiter;
	char key[];
};

struct bpf_htab {
	struct bpf_map map;
	struct bucket *buckets;
	u32 n_buckets;
	u32 hashrnd;
};

static inline struct bucket *__select_bucket(struct bpf_htab *htab, u32 hash)
{
	return &htab->buckets[hash & (htab->n_buckets - 1)];
}

/* (1) scheduler side: sched_switch tracepoint program, inlined map update */
static void sched_switch_account(struct rq *rq, struct task_struct *prev,
				 struct bpf_htab *htab, struct htab_elem *new_elem)
{
	struct bucket *b;
	unsigned long flags;
	u32 hash;

	raw_spin_lock(&rq->__lock);
	rq->curr = new_elem->waiter;

	/* trace_sched_switch(prev, next) -> bpf prog -> bpf_map_update_elem(htab, ...) */
	hash = jhash(&prev->pid, sizeof(prev->pid), htab->hashrnd);
	b = __select_bucket(htab, hash);
	raw_spin_lock_irqsave(&b->raw_lock, flags); // expect: lock-order
	hlist_nulls_add_head_rcu(&new_elem->hash_node, &b->head);
	raw_spin_unlock_irqrestore(&b->raw_lock, flags);

	raw_spin_unlock(&rq->__lock);
}

/* (2) map side: update replaces an element and wakes the task waiting on the old one */
static int htab_map_update_elem(struct bpf_htab *htab, struct htab_elem *l_new,
				struct htab_elem *l_old)
{
	struct bucket *b;
	struct rq *rq;
	unsigned long flags;
	int ret = 0;

	b = __select_bucket(htab, l_new->hash);
	raw_spin_lock_irqsave(&b->raw_lock, flags);

	if (!l_old) {
		ret = -ENOENT;
		goto err;
	}
	hlist_nulls_add_head_rcu(&l_new->hash_node, &b->head);
	hlist_nulls_del_rcu(&l_old->hash_node);

	if (l_old->waiter) {
		/* free_htab_elem() -> destructor -> wake_up_process(waiter) -> try_to_wake_up() */
		rq = task_rq(l_old->waiter);
		raw_spin_lock(&rq->__lock); // expect: lock-order
		rq->nr_running++;
		raw_spin_unlock(&rq->__lock);
	}
err:
	raw_spin_unlock_irqrestore(&b->raw_lock, flags);
	return ret;
}
