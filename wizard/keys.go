package wizard

import "github.com/charmbracelet/bubbles/key"

// Key bindings shared by several screens. Each screen lists the ones it
// uses in its ShortHelp, so the help line always tells the truth.
var (
	keyBack  = key.NewBinding(key.WithKeys("esc", "shift+tab"), key.WithHelp("esc", "back"))
	keyQuit  = key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit"))
	keyCtrlC = key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit"))

	keyUp      = key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "move"))
	keyDown    = key.NewBinding(key.WithKeys("down", "j"))
	keyEnter   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose"))
	keyNext    = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue"))
	keyToggle  = key.NewBinding(key.WithKeys(" ", "x"), key.WithHelp("space", "tick"))
	keyField   = key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field"))
	keyFieldUp = key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "previous field"))
	// keyEnterField is help for where enter, tab and ↓ all move to the
	// next field rather than continue.
	keyEnterField = key.NewBinding(key.WithKeys("enter", "tab", "down"), key.WithHelp("enter/tab/↓", "next field"))

	keyNew        = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new target"))
	keyOpen       = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open"))
	keyTest       = key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "test send"))
	keyRotate     = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rotate secret"))
	keyDisconnect = key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "disconnect"))
	keyEdit       = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit"))
	keyResume     = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "resume setup"))
	keyPageUp     = key.NewBinding(key.WithKeys("pgup", "left"), key.WithHelp("←/→", "page"))
	keyPageDown   = key.NewBinding(key.WithKeys("pgdown", "right"))
	keyReveal     = key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "reveal URL"))
	keyRecipe     = key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "verification recipe"))
	keyConfirm    = key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "I stored it"))
	keySecretFile = key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "write to a new file"))
	keyDiscard    = key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "discard it"))
	keyKeep       = key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n/esc", "keep it"))
	keySave       = key.NewBinding(key.WithKeys("enter", "ctrl+s"), key.WithHelp("enter", "save"))
	keyEditName   = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit name"))
	keyHome       = key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "home"))
	// keyLookAlike confirms a look-alike host (core.LookAlikeProblem) in
	// the Endpoint step; a control key, since letters go to the URL.
	keyLookAlike = key.NewBinding(key.WithKeys("ctrl+y"), key.WithHelp("ctrl+y", "confirm look-alike host"))
	keyVerify    = key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "verify and retire old secret"))
	keyDoctor    = key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "doctor"))
	keyRerun     = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "check again"))
)
