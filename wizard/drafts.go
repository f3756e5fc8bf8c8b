package wizard

import (
	"sync"

	tea "github.com/charmbracelet/bubbletea"
)

// drafts writes the unfinished setup to the store off the UI loop, in the
// order the steps completed: each write carries a sequence number and a
// write older than the last one done is skipped, so a slow save can never
// overwrite a newer one (or bring back a draft deleted after saving).
type drafts struct {
	mu      sync.Mutex
	written int // sequence of the last write done (under mu)
	next    int // sequence of the last write started (UI loop only)
}

// save returns a command that stores data as the draft at step.
func (d *drafts) save(e *env, step stepID, data []byte) tea.Cmd {
	return d.run(e, func(st Store) error {
		ctx, cancel := e.cmdCtx(storeTimeout)
		defer cancel()
		return st.SaveDraft(ctx, e.draftID, string(step), data)
	})
}

// remove returns a command that deletes the draft.
func (d *drafts) remove(e *env) tea.Cmd {
	return d.run(e, func(st Store) error {
		ctx, cancel := e.cmdCtx(storeTimeout)
		defer cancel()
		return st.DeleteDraft(ctx, e.draftID)
	})
}

func (d *drafts) run(e *env, op func(Store) error) tea.Cmd {
	st := e.store
	if st == nil {
		return nil
	}
	d.next++
	seq := d.next
	e.saves.Add(1)
	return func() tea.Msg {
		defer e.saves.Done()
		d.mu.Lock()
		defer d.mu.Unlock()
		if seq <= d.written {
			return nil
		}
		d.written = seq
		return draftSavedMsg{err: op(st)}
	}
}

// load returns a command that reads the draft back to resume it.
func loadDraft(e *env) tea.Cmd {
	st := e.store
	if st == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := e.cmdCtx(storeTimeout)
		defer cancel()
		step, data, _, ok, err := st.LoadDraft(ctx, e.draftID)
		if err != nil {
			return draftLoadedMsg{err: err}
		}
		if !ok {
			return draftLoadedMsg{step: stepProvider}
		}
		a, err := unmarshalAnswers(data)
		if err != nil {
			return draftLoadedMsg{err: err}
		}
		return draftLoadedMsg{answers: a, step: stepID(step)}
	}
}
