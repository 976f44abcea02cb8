"""The demo partnership's organisations and the name pools its people are drawn from."""

from __future__ import annotations

from move_events.directory.models import OrganisationKind as K

# (name, kind, country, city, sectors, is partner)
PARTNER_CLUSTERS = [
    ("Canary Islands Transport & Logistics Cluster", "ES", "Las Palmas de Gran Canaria", ["transport", "logistics"]),
    ("Bulgarian Telecommunications Cluster", "BG", "Sofia", ["telecoms", "ICT"]),
    ("Pôle Numérique Créatif", "FR", "Lyon", ["creative industries", "software"]),
    ("Cluster Edilizia Verde e Idrogeno", "IT", "Torino", ["green building", "hydrogen"]),
]  # fmt: skip

OTHER_EU_CLUSTERS = [
    ("Clúster Marítimo de Canarias", "ES", "Santa Cruz de Tenerife", ["maritime", "logistics"]),
    ("Пловдивски ИКТ клъстер", "BG", "Plovdiv", ["ICT"]),
    ("Cluster Énergies Occitanie", "FR", "Toulouse", ["energy", "hydrogen"]),
]  # fmt: skip

# Third-country clusters and intermediary organisations: (name, kind, country, city, sectors)
THIRD_COUNTRY_CLUSTERS = [
    ("Cluster Solaire", K.CLUSTER, "MA", "Rabat", ["solar energy", "green building"]),
    ("Chambre de Commerce, d'Industrie et de Services Casablanca-Settat", K.INTERMEDIARY, "MA", "Casablanca",
     ["trade"]),
    ("غرفة التجارة والصناعة والخدمات لجهة طنجة", K.INTERMEDIARY, "MA", "Tanger", ["trade", "logistics"]),
    ("Cluster Tecnológico Paulista", K.CLUSTER, "BR", "São Paulo", ["software", "telecoms"]),
    ("Agência de Desenvolvimento de Pernambuco", K.INTERMEDIARY, "BR", "Recife", ["trade", "ports"]),
    ("Associação Brasileira de Hidrogênio Verde", K.INTERMEDIARY, "BR", "Fortaleza", ["hydrogen"]),
]  # fmt: skip

SECTORS_BY_CLUSTER = {
    "ES": ["logistics", "transport", "cold chain", "port services", "freight forwarding"],
    "BG": ["telecoms", "IoT", "cybersecurity", "5G", "software"],
    "FR": ["video games", "animation", "design", "software", "augmented reality"],
    "IT": ["green building", "hydrogen", "insulation", "heat pumps", "architecture"],
}

SME_WORDS = {
    "ES": (["Atlántico", "Macaronesia", "Teide", "Alisios", "Roque", "Guanche", "Timanfaya", "Garajonay",
            "Bentayga", "Maspalomas"], ["Logística", "Transportes", "Carga", "Frío", "Puertos"], "S.L."),
    "BG": (["Витоша", "Родопи", "Балкан", "Пирин", "Искър", "Тракия", "Мусала", "Странджа", "Струма",
            "Янтра"], ["Телеком", "Софт", "Нет", "Системс", "Дата"], "ЕООД"),
    "FR": (["Lumière", "Confluence", "Fourvière", "Croix-Rousse", "Saône", "Rhône", "Canut", "Bellecour",
            "Gerland", "Part-Dieu"], ["Studio", "Interactive", "Design", "Pixels", "Labs"], "SAS"),
    "IT": (["Mole", "Superga", "Po", "Dora", "Monviso", "Langhe", "Sangone", "Valentino", "Lingotto",
            "Stura"], ["Energia", "Costruzioni", "Idrogeno", "Edilizia", "Impianti"], "S.r.l."),
    "MA": (["Atlas", "Sahara", "Anfa", "Oasis", "Rif", "Souss", "Draa", "Menara", "Tafilalet",
            "Bouregreg"], ["Logistique", "Solaire", "Digital", "Bâtiment", "Énergie", "Textile",
            "Agro", "Télécom", "Services"], "SARL"),
    "BR": (["Ipiranga", "Paulista", "Capibaribe", "Iracema", "Cerrado", "Pantanal", "Jangada",
            "Mandacaru"], ["Tecnologia", "Energia", "Logística", "Software"], "Ltda."),
}  # fmt: skip

ARABIC_SME_NAMES = [
    "شركة الأطلس للطاقة الشمسية", "مجموعة المغرب الرقمي", "شركة سوس للوجستيك", "مقاولة الريف للبناء الأخضر",
    "شركة درعة للخدمات", "مؤسسة تافيلالت للنسيج", "شركة أنفا للاتصالات", "شركة الواحة الفلاحية",
]  # fmt: skip

CITIES = {
    "ES": ["Las Palmas de Gran Canaria", "Santa Cruz de Tenerife", "Arrecife"],
    "BG": ["Sofia", "Plovdiv", "Varna"],
    "FR": ["Lyon", "Grenoble", "Saint-Étienne"],
    "IT": ["Torino", "Milano", "Novara"],
    "MA": ["Casablanca", "Rabat", "Tanger", "Marrakech", "Agadir", "Fès"],
    "BR": ["São Paulo", "Recife", "Fortaleza", "Curitiba"],
}

# (given names, family names, preferred language) per country; Bulgarian names in Cyrillic,
# a share of Moroccan names in Arabic script, as people write them themselves.
NAMES = {
    "ES": (["Lucía", "Carmen", "Javier", "Alejandro", "María José", "Yeray", "Nayra", "Acaymo"],
           ["Rodríguez", "González", "Hernández", "Pérez", "Suárez", "Santana", "Cabrera"], "es"),
    "BG": (["Мария", "Иван", "Георги", "Елена", "Десислава", "Николай", "Йорданка", "Стоян"],
           ["Иванова", "Петров", "Георгиев", "Димитрова", "Николов", "Стоянова", "Тодоров"], "bg"),
    "FR": (["Camille", "Léa", "Hugo", "Théo", "Chloé", "Mathis", "Inès", "Gaëlle"],
           ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Fournier", "Girard"], "fr"),
    "IT": (["Giulia", "Francesca", "Lorenzo", "Matteo", "Chiara", "Alessandro", "Federica", "Niccolò"],
           ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo"], "it"),
    "MA": (["Youssef", "Fatima Zahra", "Mehdi", "Salma", "Hamza", "Khadija", "Omar", "Imane"],
           ["El Amrani", "Benali", "Tazi", "Alaoui", "Bennani", "El Idrissi", "Chraibi"], "fr"),
    "MA-ar": (["يوسف", "فاطمة الزهراء", "مهدي", "سلمى", "حمزة", "خديجة"],
              ["العمراني", "بنعلي", "التازي", "العلوي", "بناني", "الإدريسي"], "fr"),
    "BR": (["João", "Ana Luíza", "Gabriel", "Beatriz", "Lucas", "Mariana", "Thiago", "Letícia"],
           ["Silva", "Santos", "Oliveira", "Souza", "Pereira", "Lima", "Carvalho"], "pt"),
}  # fmt: skip

JOB_TITLES = ["CEO", "Managing director", "Export manager", "Business developer", "Project manager",
              "Cluster manager", "International relations officer", "CTO"]  # fmt: skip

# How many organisations of each kind the directory holds.
EU_SMES_PER_COUNTRY = 10  # 40 EU SMEs, 10 per partner cluster
THIRD_COUNTRY_SMES = {"MA": 90, "BR": 8}

# Business profiles for the upcoming brokerage event, by the organisation's first sector:
# (what they offer, what they look for). Varied on purpose: the marketplace's search has to find things.
PROFILES = {
    "logistics": ("Groupage and full loads between the Canary Islands, Tanger Med and Casablanca",
                  "Moroccan exporters of fresh produce; warehouse partners near Tanger Med"),
    "transport": ("Refrigerated road transport Spain–Morocco with weekly departures",
                  "Hauliers in Morocco for return loads"),
    "cold chain": ("Cold stores and temperature monitoring for fruit, vegetables and fish",
                   "Agri-food exporters who need a cold chain to Europe"),
    "port services": ("Stevedoring, customs brokerage and ship agency in Las Palmas",
                      "Shipping lines and forwarders with West African routes"),
    "freight forwarding": ("Sea and air freight forwarding, dangerous goods certified",
                           "Agents in Casablanca and Agadir"),
    "telecoms": ("Private LTE/5G networks for ports, mines and industrial sites",
                 "System integrators and operators in Morocco"),
    "IoT": ("LoRaWAN sensors and dashboards for water, energy and agriculture",
            "Pilot sites: farms, irrigation cooperatives, municipalities"),
    "cybersecurity": ("Security audits, SOC as a service, ISO 27001 preparation",
                      "Resellers and banks, insurers, public bodies as clients"),
    "5G": ("5G test bed and edge computing for industrial use cases",
           "Manufacturers who want to test connected machines"),
    "software": ("Custom web and mobile software, ERP integration",
                 "Subcontracting partners and clients in retail and logistics"),
    "video games": ("Serious games for training and education", "Publishers and education ministries"),
    "animation": ("2D/3D animation studio for series and advertising", "Co-production partners, dubbing studios"),
    "design": ("Product and packaging design for export brands", "Cosmetics, argan and food brands"),
    "augmented reality": ("AR guides for museums, heritage sites and trade fairs",
                          "Tourism offices and heritage foundations"),
    "green building": ("Passive-house design and energy renovation of public buildings",
                       "Architects and developers for social housing"),
    "hydrogen": ("Electrolyser balance-of-plant and hydrogen safety engineering",
                 "Solar and wind project developers; ammonia off-takers"),
    "insulation": ("Bio-based insulation panels (hemp, cork) made in Piedmont", "Distributors of building materials"),
    "heat pumps": ("High-temperature heat pumps for hotels and food industry", "Installers and hotel chains"),
    "architecture": ("Bioclimatic architecture and urban planning", "Local partner firms for tenders"),
    "solar energy": ("Solar EPC: rooftop and agrivoltaic plants up to 10 MW",
                     "Panel and inverter suppliers; financing partners"),
    "trade": ("Market studies, matchmaking and trade missions", "Companies looking for partners in Morocco"),
    "energy": ("Energy audits and energy management systems (ISO 50001)", "Industrial sites and hotels"),
    "creative industries": ("A network of 120 studios in animation, games and design",
                            "Festivals and co-production funds"),
    "ICT": ("Cloud hosting and managed services", "Start-ups and SMEs moving to the cloud"),
    "maritime": ("Ship repair and offshore services", "Fishing fleets and ports in Morocco"),
    "ports": ("Port community systems and port logistics", "Port authorities and terminal operators"),
}  # fmt: skip

# Which markets a profile says it targets, picked in turn.
TARGET_MARKETS = {
    "EU": [["MA"], ["MA", "BR"], ["MA"], ["MA", "ES"]],
    "MA": [["ES", "FR"], ["FR"], ["IT", "BG"], ["ES"], ["FR", "IT", "ES"]],
}
