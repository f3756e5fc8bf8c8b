package wizard

import "testing"

func TestRepro(t *testing.T) {
	d := newDriver(t, newFakeStore())
	d.key("n", "enter", "enter")
	d.paste("https://93.184.216.34/hook")
	d.key("enter")
	d.at(stepSecret)
	d.key("enter")
	d.key("y")
	d.at(stepReceiver)
	t.Log(d.trace)
	t.Log(d.screen())
}
